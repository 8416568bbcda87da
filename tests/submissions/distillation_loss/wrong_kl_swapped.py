# expect-verdict: wrong_answer
# expect-diagnosis: the KL divergence runs the wrong way
import numpy as np


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def distillation_loss(student_logits, teacher_logits, T):
    log_ps = _log_softmax(student_logits / T)
    log_pt = _log_softmax(teacher_logits / T)
    p_s = np.exp(log_ps)
    n = student_logits.shape[0]
    a = log_ps - log_pt
    grad = p_s * (a - np.sum(p_s * a, axis=-1, keepdims=True))
    return float(T * T * np.sum(p_s * a) / n), T * grad / n
