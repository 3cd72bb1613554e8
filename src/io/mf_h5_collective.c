/* Collective block writes (see mf_h5_collective.h). */
#include "io/mf_h5_collective.h"

#include "io/mf_h5.h"

#ifdef H5_HAVE_PARALLEL

static mf_status write_block(hid_t f, hid_t dxpl, const mf_h5_block *b, const char *file) {
  hid_t ds = H5Dopen2(f, b->dataset, H5P_DEFAULT);
  if (ds < 0) return MF_H5_ERROR(MF_ERR_IO, file, "cannot open dataset /%s", b->dataset);
  hid_t fspace = H5Dget_space(ds);
  hsize_t start[2] = {(hsize_t)b->first, 0}, count[2] = {(hsize_t)b->count, b->cols ? b->cols : 1};
  const int rank = b->cols ? 2 : 1;
  hid_t mspace = H5Screate_simple(rank, count, NULL);
  herr_t e = fspace < 0 || mspace < 0 ? -1 : H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  if (e >= 0 && b->count == 0) e = H5Sselect_none(fspace) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
  if (e >= 0) e = H5Dwrite(ds, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, b->data);
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  H5Dclose(ds);
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
    mf_status w = write_block(f, dxpl, &b[i], file);
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
