/* Filling a shape's tables from its basis functions, for the shape files (private to
 * fem/mf_shape*.c). Tables are filled once, before any shape is handed out. */
#ifndef MF_SHAPE_TABLES_H
#define MF_SHAPE_TABLES_H

/* N[q][nodes] and dN[q][nodes][3] at the nqp points xi[q][3] of basis(xi, N, dN). */
void mf_shape_tabulate(int nodes, int nqp, const double *xi, void (*basis)(const double *, double *, double *),
                       double *N, double *dN);
/* The same on a face: points xi[q][2], dN[q][nodes][2]. */
void mf_shape_tabulate_face(int nodes, int nqp, const double *xi,
                            void (*basis)(const double *, double *, double *), double *N, double *dN);

void mf_shape_tet10_init(void);
void mf_shape_hex8_init(void);

#endif
