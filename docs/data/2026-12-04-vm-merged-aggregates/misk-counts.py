exec(open(__file__.replace('misk-counts','mis2-counts')).read().split("rng=np.random")[0])
def mis1(Gr, order, skip):
    m=Gr.shape[0]; state=np.full(m,-2); agg=np.full(m,-1); nsel=0
    ip,ix=Gr.indptr,Gr.indices
    for v in order:
        if state[v]!=-2 or v in skip: continue
        nb=ix[ip[v]:ip[v+1]]
        if len(nb)<2: continue
        state[v]=nsel; agg[v]=nsel
        f=nb[state[nb]==-2]; state[f]=-1; agg[f]=nsel; nsel+=1
    # number aggregates by root lid order (PETSc colIndex loops lid)
    roots=np.nonzero(state>=0)[0]; ren=np.full(nsel,-1); ren[state[roots]]=np.arange(len(roots))
    return np.where(agg>=0, ren[np.maximum(agg,0)], -1), len(roots)
R2=True  # random order in the second stage too (False: natural order, as PETSc)
def misk(order, skip, k=2):
    Gr=G.copy(); Gr.setdiag(1); Gr=Gr.tocsr(); agg_total=np.arange(n)
    for it in range(k):
        a,nc=mis1(Gr, order if it==0 else (np.arange(Gr.shape[0]) if not R2 else rng.permutation(Gr.shape[0])), set(skip.tolist()) if it==0 else set())
        ok=a>=0
        P=sp.csr_matrix((np.ones(ok.sum()),(np.nonzero(ok)[0],a[ok])),shape=(Gr.shape[0],nc))
        Gr=(P.T@Gr@P).tocsr()
        agg_total=np.where(agg_total>=0, a[np.maximum(agg_total,0)], -1)
        print("  iter",it,"aggregates",nc)
    return agg_total
skip=np.nonzero(fixed)[0]
rng=np.random.default_rng(1)
print("natural"); misk(np.arange(n),np.array([],int))
print("random"); p=rng.permutation(n); a=misk(p,np.array([],int))
sz=np.bincount(a[a>=0]); print("  size mean",sz.mean(),"min",sz.min(),"max",sz.max())
