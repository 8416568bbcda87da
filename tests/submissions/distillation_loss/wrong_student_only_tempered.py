# expect-verdict: wrong_answer
# expect-diagnosis: the temperature is applied to the student only
import numpy as np


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def distillation_loss(student_logits, teacher_logits, T):
    log_ps = _log_softmax(student_logits / T)
    log_pt = _log_softmax(teacher_logits)
    p_t = np.exp(log_pt)
    n = student_logits.shape[0]
    return float(T * T * np.sum(p_t * (log_pt - log_ps)) / n), T * (np.exp(log_ps) - p_t) / n
