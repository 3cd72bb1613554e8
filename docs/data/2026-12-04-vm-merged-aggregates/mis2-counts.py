import numpy as np, scipy.sparse as sp, sys
def read_msh(fn):
    L=open(fn).read().split('\n'); i=0; nodes={}; tets=[]
    while i<len(L):
        if L[i]=='$Nodes':
            nb,nn,_,_=map(int,L[i+1].split()); i+=2
            for b in range(nb):
                d,t,p,k=map(int,L[i].split()); i+=1
                tags=[int(L[i+j]) for j in range(k)]; i+=k
                for j in range(k): nodes[tags[j]]=list(map(float,L[i+j].split()[:3]))
                i+=k
        elif L[i]=='$Elements':
            nb,ne,_,_=map(int,L[i+1].split()); i+=2
            for b in range(nb):
                d,t,et,k=map(int,L[i].split()); i+=1
                if et==4:
                    for j in range(k): tets.append(list(map(int,L[i+j].split()[1:5])))
                i+=k
        else: i+=1
    used=sorted(set(np.array(tets).ravel()))
    m={t:q for q,t in enumerate(used)}
    X=np.array([nodes[t] for t in used]); T=np.vectorize(m.get)(np.array(tets))
    return X,T
X,T=read_msh(sys.argv[1]); n=len(X)
r=[];c=[]
for a in range(4):
    for b in range(4):
        if a!=b: r.append(T[:,a]); c.append(T[:,b])
G=sp.csr_matrix((np.ones(len(np.concatenate(r))),(np.concatenate(r),np.concatenate(c))),shape=(n,n))
G.data[:]=1; G.sum_duplicates(); G.data[:]=1
fixed = X[:,0] < X[:,0].min()+1e-9
print("nodes",n,"fixed",fixed.sum(), "xrange",X[:,0].min(),X[:,0].max())
G2=(G@G).tocsr(); G2.setdiag(0); G2.eliminate_zeros()
deg=np.diff(G.indptr)
def mis2(order, skip):
    state=np.zeros(n,np.int8); state[skip]=3; roots=0
    ip,ix=G2.indptr,G2.indices
    for v in order:
        if state[v]: continue
        state[v]=1; roots+=1
        nb=ix[ip[v]:ip[v+1]]
        state[nb[state[nb]==0]]=2
    return roots
rng=np.random.default_rng(1)
for skipfixed in (False,True):
    skip=np.nonzero(fixed)[0] if skipfixed else np.array([],int)
    print("skip fixed",skipfixed)
    print(" natural",mis2(np.arange(n),skip))
    print(" random",mis2(rng.permutation(n),skip))
    p=rng.permutation(n); print(" degree asc random ties",mis2(p[np.argsort(deg[p],kind='stable')],skip))
    p=rng.permutation(n); print(" degree desc",mis2(p[np.argsort(-deg[p],kind='stable')],skip))
from scipy.sparse.csgraph import reverse_cuthill_mckee, breadth_first_order
skip=np.nonzero(fixed)[0]
rcm=reverse_cuthill_mckee(G,symmetric_mode=True)
print("rcm",mis2(rcm,skip),"cm",mis2(rcm[::-1],skip))
bfs=breadth_first_order(G,0,return_predecessors=False)
print("bfs from 0",mis2(bfs,skip))
print("lex x,y,z",mis2(np.lexsort((X[:,2],X[:,1],X[:,0])),skip))
# partial shuffle of rcm order
p=rcm.copy(); used=np.zeros(n,bool); r=rng.random(n)
for i in range(n):
    s=int(r[i]*n)%n
    if not used[s] and s!=i: p[s],p[i]=p[i],p[s]; used[s]=True
print("rcm partially shuffled",mis2(p,skip))
