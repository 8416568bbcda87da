import numpy as np


def _keep_row(z, top_k, top_p):
    keep = np.isfinite(z)
    if 0 < top_k < z.size:
        kth = -np.partition(-z, top_k - 1)[top_k - 1]
        keep &= z >= kth
    if top_p < 1.0:
        zk = np.where(keep, z, np.float32(-np.inf))
        order = np.argsort(-zk, kind="stable")
        e = np.exp(zk[order] - zk[order[0]])
        ps = e / e.sum()
        before = np.cumsum(ps) - ps
        sorted_keep = before < np.float32(top_p)
        sorted_keep[0] = True
        nucleus = np.zeros(z.size, dtype=bool)
        nucleus[order] = sorted_keep
        keep &= nucleus
    return keep


def sample_token(logits, u, temperature=1.0, top_k=0, top_p=1.0):
    z_all = np.asarray(logits, dtype=np.float32) / np.float32(temperature)
    tokens = np.zeros(z_all.shape[0], dtype=np.int32)
    for n, z in enumerate(z_all):
        keep = _keep_row(z, top_k, top_p)
        zk = np.where(keep, z, np.float32(-np.inf))
        e = np.exp(zk - zk.max())
        c = np.cumsum(e / e.sum())
        tokens[n] = min(int(np.searchsorted(c, np.float32(u[n]), side="right")), z.size - 1)
    return tokens
