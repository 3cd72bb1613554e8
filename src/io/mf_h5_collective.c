/* Collective block writes (see mf_h5_collective.h). */
#include "io/mf_h5_collective.h"

#include "io/mf_h5.h"

#ifdef H5_HAVE_PARALLEL

/* Rows [first, first + count) of dataset ds from rows [at, at + count) of the block. */
static herr_t write_rows(hid_t ds, hid_t dxpl, const mf_h5_block *b, int64_t at, int64_t count) {
  hid_t fspace = H5Dget_space(ds);
  hsize_t start[2] = {(hsize_t)(b->first + at), 0}, n[2] = {(hsize_t)count, b->cols ? b->cols : 1};
  hsize_t mdims[2] = {(hsize_t)b->count, (hsize_t)b->mem_cols}, mstart[2] = {(hsize_t)at, (hsize_t)b->col};
  hid_t mspace = H5Screate_simple(2, mdims, NULL);
  herr_t e = fspace < 0 || mspace < 0 ? -1 : 0;
  if (e >= 0 && count > 0)
    e = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, n, NULL) < 0 ||
                H5Sselect_hyperslab(mspace, H5S_SELECT_SET, mstart, NULL, n, NULL) < 0
            ? -1
            : 0;
  else if (e >= 0) e = H5Sselect_none(fspace) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
  if (e >= 0) e = H5Dwrite(ds, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, b->data);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  return e;
}

/* The block one chunk's rows at a time (about 1 MiB), in as many collective writes as
 * the process with the most chunks makes: MPI-IO's buffers grow with the size of a
 * write. At 2 processes on a 64^3 box (1.57M elements) the output raised the largest
 * peak RSS by 140-190 MiB with whole blocks, 148 MiB with 8 chunks per write and 47-72
 * MiB with one (docs/parallel.md, "Output"). */
static mf_status write_block(hid_t f, hid_t dxpl, mf_comm *comm, const mf_h5_block *b, const char *file) {
  hid_t ds = H5Dopen2(f, b->dataset, H5P_DEFAULT);
  if (ds < 0) return MF_H5_ERROR(MF_ERR_IO, file, "cannot open dataset /%s", b->dataset);
  hid_t dcpl = H5Dget_create_plist(ds);
  hsize_t chunk[2] = {0, 0};
  int64_t piece = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 2, chunk) > 0
                      ? (int64_t)chunk[0]
                      : (1 << 20) / (8 * (b->cols ? (int64_t)b->cols : 1));
  if (dcpl >= 0) H5Pclose(dcpl);
  if (piece < 1) piece = 1;
  int64_t pieces = (b->count + piece - 1) / piece;
  mf_status st = comm->ops->max_i64(comm, &pieces, 1);
  herr_t e = 0;
  for (int64_t k = 0; k < pieces && !st; k++) {
    int64_t at = k * piece, n = at >= b->count ? 0 : (b->count - at < piece ? b->count - at : piece);
    if (write_rows(ds, dxpl, b, at, n) < 0 && e == 0) e = -1; /* every process goes on */
  }
  H5Dclose(ds);
  if (st) return st;
  return e < 0 ? MF_H5_ERROR(MF_ERR_IO, file, "cannot write rows %lld..%lld of /%s", (long long)b->first,
                             (long long)(b->first + b->count), b->dataset)
               : MF_OK;
}

mf_status mf_h5_write_blocks(const char *file, mf_comm *comm, int n, const mf_h5_block *b) {
  MF_CHECK(comm->native, MF_ERR_INTERNAL, "%s: a collective write needs an MPI communicator", file);
  mf_h5_init();
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, *(const MPI_Comm *)comm->native, MPI_INFO_NULL);
  hid_t f = H5Fopen(file, H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  int failed;
  mf_status st = f < 0 ? MF_H5_ERROR(MF_ERR_IO, file, "cannot open the file on every process") : MF_OK;
  if ((st = mf_comm_agree(comm, st, &failed))) {
    if (f >= 0) H5Fclose(f);
    return st;
  }
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  /* every process takes part in every write (with an empty block if need be), so a
   * failure is seen by all; the status is agreed once, at the end */
  for (int i = 0; i < n; i++) {
    mf_status w = write_block(f, dxpl, comm, &b[i], file);
    if (!st) st = w;
  }
  H5Pclose(dxpl);
  if (H5Fclose(f) < 0 && !st) st = MF_H5_ERROR(MF_ERR_IO, file, "cannot close the file");
  return mf_comm_agree(comm, st, &failed);
}

#else

mf_status mf_h5_write_blocks(const char *file, mf_comm *comm, int n, const mf_h5_block *b) {
  (void)comm, (void)n, (void)b;
  return MF_ERROR(MF_ERR_INTERNAL,
                  "%s: this memfem's HDF5 is the serial flavour, which cannot write one file from several processes "
                  "(configure with -DMEMFEM_HDF5_PC=hdf5-openmpi)", file);
}

#endif
