# expect-verdict: wrong_answer
# expect-diagnosis: loss is missing the factor T**2
# expect-diagnosis: dstudent is missing the factor T**2
import numpy as np


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def distillation_loss(student_logits, teacher_logits, T):
    log_ps = _log_softmax(student_logits / T)
    log_pt = _log_softmax(teacher_logits / T)
    p_t = np.exp(log_pt)
    n = student_logits.shape[0]
    return float(np.sum(p_t * (log_pt - log_ps)) / n), (np.exp(log_ps) - p_t) / (T * n)
