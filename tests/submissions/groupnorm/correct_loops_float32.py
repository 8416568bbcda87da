import numpy as np


def groupnorm_forward(x, gamma, beta, num_groups, eps=1e-5):
    x = x.astype(np.float32)
    N, C, H, W = x.shape
    per = C // num_groups
    y = np.empty_like(x)
    for n in range(N):
        for grp in range(num_groups):
            block = x[n, grp * per : (grp + 1) * per]
            mu = block.mean()
            var = ((block - mu) ** 2).mean()
            for k in range(per):
                ch = grp * per + k
                y[n, ch] = gamma[ch] * (x[n, ch] - mu) / np.sqrt(var + eps) + beta[ch]
    return y


def groupnorm_backward(dy, x, gamma, num_groups, eps=1e-5):
    x, dy = x.astype(np.float32), dy.astype(np.float32)
    N, C, H, W = x.shape
    per = C // num_groups
    dx = np.zeros_like(x)
    dgamma = np.zeros(C, dtype=np.float32)
    dbeta = np.zeros(C, dtype=np.float32)
    for n in range(N):
        for grp in range(num_groups):
            chans = slice(grp * per, (grp + 1) * per)
            block = x[n, chans]
            m = block.size
            mu = block.mean()
            inv = 1.0 / np.sqrt(((block - mu) ** 2).mean() + eps)
            xhat = (block - mu) * inv
            g = dy[n, chans] * gamma[chans].astype(np.float32)[:, None, None]
            dx[n, chans] = inv / m * (m * g - g.sum() - xhat * (g * xhat).sum())
            for k in range(per):
                ch = grp * per + k
                dgamma[ch] += (dy[n, ch] * xhat[k]).sum()
                dbeta[ch] += dy[n, ch].sum()
    return dx, dgamma, dbeta
