# expect-verdict: wrong_answer
# expect-diagnosis: loss overflows to NaN or inf on large inputs
import numpy as np


def distillation_loss(student_logits, teacher_logits, T):
    with np.errstate(all="ignore"):
        es, et = np.exp(student_logits / T), np.exp(teacher_logits / T)
        p_s = es / es.sum(axis=-1, keepdims=True)
        p_t = et / et.sum(axis=-1, keepdims=True)
        n = student_logits.shape[0]
        loss = T * T * np.sum(p_t * (np.log(p_t) - np.log(p_s))) / n
    return float(loss), T * (p_s - p_t) / n
