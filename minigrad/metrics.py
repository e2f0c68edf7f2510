"""Classification metrics with scikit-learn's definitions: accuracy, confusion matrix,
precision / recall / F1 (binary, micro, macro, weighted or per class) and a text report.

Inputs are class labels: minigrad Tensors, NumPy arrays or lists (ints, bools, integral floats
or strings). Counting is vectorised: labels are encoded once with `np.unique` and every count
is a `np.bincount`. Results are NumPy values (float, or float64 arrays for `average=None`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["UndefinedMetricWarning", "accuracy", "accuracy_score", "confusion_matrix",
           "precision_score", "recall_score", "f1_score", "precision_recall_fscore_support",
           "classification_report"]

_AVERAGES = ("binary", "micro", "macro", "weighted", None)


class UndefinedMetricWarning(UserWarning):
    """A score divided by zero (no predicted or no true samples for a label)."""


def _as_labels(y: Any, name: str, fn: str) -> np.ndarray:
    arr = y.data if isinstance(y, Tensor) else np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:  # a column vector, as scikit-learn accepts
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        hint = " (for scores or logits pass the predicted classes, e.g. logits.argmax(1))" \
            if arr.ndim == 2 else ""
        raise ValueError(f"{fn}: {name} must be a 1-D array of class labels, got shape "
                         f"{tuple(arr.shape)}{hint}")
    return arr


def _check_targets(y_true: Any, y_pred: Any, fn: str) -> tuple:
    """Validate two label arrays; return them with the sorted labels present in either."""
    yt, yp = _as_labels(y_true, "y_true", fn), _as_labels(y_pred, "y_pred", fn)
    if yt.shape[0] != yp.shape[0]:
        raise ValueError(f"{fn}: y_true and y_pred have inconsistent numbers of samples: "
                         f"{yt.shape[0]} and {yp.shape[0]}")
    if yt.shape[0] == 0:
        raise ValueError(f"{fn}: y_true and y_pred are empty")
    text = [a.dtype.kind in "USO" for a in (yt, yp)]
    if text[0] != text[1]:
        raise ValueError(f"{fn}: mix of string and number labels (y_true dtype {yt.dtype}, "
                         f"y_pred dtype {yp.dtype})")
    for name, a in (("y_true", yt), ("y_pred", yp)):
        if a.dtype.kind == "f" and not np.all(a == np.floor(a)):
            raise ValueError(f"{fn}: {name} holds continuous values; classification metrics "
                             f"need class labels")
    return yt, yp, np.unique(np.concatenate([yt, yp]))


def _encode(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each value in labels (first match), or -1 where it is absent."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.minimum(np.searchsorted(sorted_labels, values), len(labels) - 1)
    return np.where(sorted_labels[pos] == values, order[pos], -1)


def accuracy(y_true: Any, y_pred: Any, normalize: bool = True) -> float:
    """Fraction of samples whose predicted label equals the true label (count if not normalize).
    """
    yt, yp, _ = _check_targets(y_true, y_pred, "accuracy")
    hits = np.count_nonzero(yt == yp)
    return float(hits / yt.shape[0]) if normalize else float(hits)


accuracy_score = accuracy


def confusion_matrix(y_true: Any, y_pred: Any, labels: Sequence | None = None,
                     normalize: str | None = None) -> np.ndarray:
    """C[i, j] = number of samples with true label labels[i] predicted as labels[j].

    Rows are true labels, columns predicted, in the order of `labels` (default: the sorted
    labels present in either input); samples whose labels are not listed are left out.
    `normalize` in {'true', 'pred', 'all'} divides by row sums, column sums or the total.
    """
    if normalize not in ("true", "pred", "all", None):
        raise ValueError(f"confusion_matrix: normalize must be one of 'true', 'pred', 'all' "
                         f"or None, got {normalize!r}")
    if labels is None:
        yt, yp, labels_arr = _check_targets(y_true, y_pred, "confusion_matrix")
        _, codes = np.unique(np.concatenate([yt, yp]), return_inverse=True)
        t, p = codes[: yt.shape[0]], codes[yt.shape[0]:]
    else:
        labels_arr = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
        if labels_arr.ndim != 1 or labels_arr.size == 0:
            raise ValueError(f"confusion_matrix: labels should be a non-empty 1-D list, got "
                             f"shape {tuple(labels_arr.shape)}")
        yt, yp = (_as_labels(y, n, "confusion_matrix") for y, n in ((y_true, "y_true"),
                                                                      (y_pred, "y_pred")))
        if yt.size == 0 and yp.size == 0:
            return np.zeros((labels_arr.size, labels_arr.size), dtype=np.int64)
        yt, yp, _ = _check_targets(yt, yp, "confusion_matrix")
        t, p = _encode(yt, labels_arr), _encode(yp, labels_arr)
        if not np.any(t >= 0):
            raise ValueError(f"confusion_matrix: at least one label specified must be in "
                             f"y_true (labels {labels_arr.tolist()})")
        keep = (t >= 0) & (p >= 0)
        t, p = t[keep], p[keep]
    k = labels_arr.size
    cm = np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)
    if normalize is None:
        return cm
    with np.errstate(all="ignore"):
        total = {"true": cm.sum(axis=1, keepdims=True), "pred": cm.sum(axis=0, keepdims=True),
                 "all": cm.sum()}[normalize]
        return np.nan_to_num(cm / total)


def _zero_value(zero_division: Any) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return np.nan
    raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}")


def _divide(num: np.ndarray, den: np.ndarray, zero_division: Any, what: str,
            warn: bool) -> np.ndarray:
    """num / den as float64, with `zero_division` where den == 0 (warning if it is 'warn')."""
    mask = den == 0
    den = den.astype(np.float64)
    den[mask] = 1.0
    out = num.astype(np.float64) / den
    if mask.any():
        out[mask] = _zero_value(zero_division)
        if warn and isinstance(zero_division, str):
            warnings.warn(f"{what} is ill-defined and being set to 0.0 for {mask.sum()} of "
                          f"{mask.size} label(s); use zero_division to control this",
                          UndefinedMetricWarning, stacklevel=4)
    return out


def _nanaverage(a: np.ndarray, weights: np.ndarray | None = None) -> float:
    keep = ~np.isnan(a)
    if not keep.any():
        return float("nan")
    if weights is None:
        return float(np.nanmean(a))  # scikit-learn's reduction, for bit-equal averages
    if not weights[keep].sum() > 0:  # all weights zero: a plain mean instead
        return float(np.average(a[keep]))
    return float(np.average(a[keep], weights=weights[keep]))


def precision_recall_fscore_support(y_true: Any, y_pred: Any, labels: Sequence | None = None,
                                    pos_label: Any = 1, average: str | None = None,
                                    zero_division: Any = "warn",
                                    warn_for: tuple = ("precision", "recall", "f-score"),
                                    fn: str = "precision_recall_fscore_support") -> tuple:
    """(precision, recall, f1, support) like scikit-learn's (beta = 1).

    average='binary' scores only `pos_label`; None returns per-label arrays (with support);
    'micro' pools the counts; 'macro' is the unweighted mean over labels, 'weighted' the mean
    weighted by support. zero_division sets a score whose denominator is 0.
    """
    if average not in _AVERAGES:
        raise ValueError(f"{fn}: average has to be one of {_AVERAGES}, got {average!r}")
    _zero_value(zero_division)
    yt, yp, present = _check_targets(y_true, y_pred, fn)
    if average == "binary":
        if present.size > 2:
            raise ValueError(f"{fn}: target is multiclass ({present.size} labels) but "
                             f"average='binary'; choose one of None, 'micro', 'macro', "
                             f"'weighted'")
        if present.size == 2 and pos_label not in present.tolist():
            raise ValueError(f"{fn}: pos_label={pos_label!r} is not a valid label; it should "
                             f"be one of {present.tolist()}")
        labels = [pos_label]
    chosen = present if labels is None else np.asarray(
        labels.data if isinstance(labels, Tensor) else labels)
    # Count over every label seen anywhere, then keep the chosen ones (scikit-learn's rule).
    classes, codes = np.unique(np.concatenate([yt, yp, chosen]), return_inverse=True)
    k, n = classes.size, yt.shape[0]
    t, p = codes[:n], codes[n:2 * n]
    pick = codes[2 * n:]
    tp = np.bincount(t[t == p], minlength=k)[pick]
    pred_sum = np.bincount(p, minlength=k)[pick]
    true_sum = np.bincount(t, minlength=k)[pick]
    if average == "micro":
        tp, pred_sum, true_sum = (np.array([x.sum()]) for x in (tp, pred_sum, true_sum))
    precision = _divide(tp, pred_sum, zero_division, "Precision", "precision" in warn_for)
    recall = _divide(tp, true_sum, zero_division, "Recall", "recall" in warn_for)
    f1 = _divide(2.0 * tp, true_sum.astype(np.float64) + pred_sum, zero_division, "F-score",
                 "f-score" in warn_for)
    if average is None:
        return precision, recall, f1, true_sum
    weights = true_sum if average == "weighted" else None
    return (_nanaverage(precision, weights), _nanaverage(recall, weights),
            _nanaverage(f1, weights), None)


def precision_score(y_true: Any, y_pred: Any, labels: Sequence | None = None,
                    pos_label: Any = 1, average: str | None = "binary",
                    zero_division: Any = "warn") -> Any:
    """tp / (tp + fp): of the samples predicted as a label, the fraction that have it."""
    return precision_recall_fscore_support(y_true, y_pred, labels, pos_label, average,
                                           zero_division, ("precision",), "precision_score")[0]


def recall_score(y_true: Any, y_pred: Any, labels: Sequence | None = None,
                 pos_label: Any = 1, average: str | None = "binary",
                 zero_division: Any = "warn") -> Any:
    """tp / (tp + fn): of the samples that have a label, the fraction predicted as it."""
    return precision_recall_fscore_support(y_true, y_pred, labels, pos_label, average,
                                           zero_division, ("recall",), "recall_score")[1]


def f1_score(y_true: Any, y_pred: Any, labels: Sequence | None = None, pos_label: Any = 1,
             average: str | None = "binary", zero_division: Any = "warn") -> Any:
    """2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall."""
    return precision_recall_fscore_support(y_true, y_pred, labels, pos_label, average,
                                           zero_division, ("f-score",), "f1_score")[2]


def classification_report(y_true: Any, y_pred: Any, labels: Sequence | None = None,
                          target_names: Sequence[str] | None = None, digits: int = 2,
                          output_dict: bool = False, zero_division: Any = "warn") -> Any:
    """Per-label precision, recall, F1 and support, then accuracy and macro/weighted averages,
    as text laid out exactly like scikit-learn's (or as a dict with output_dict=True)."""
    fn = "classification_report"
    yt, yp, present = _check_targets(y_true, y_pred, fn)
    labels_given = labels is not None
    labels_arr = np.asarray(labels.data if isinstance(labels, Tensor) else labels) \
        if labels_given else present
    micro_is_accuracy = not labels_given or set(labels_arr.tolist()) >= set(present.tolist())
    if target_names is not None and len(labels_arr) != len(target_names):
        if not labels_given:
            raise ValueError(f"{fn}: number of classes, {len(labels_arr)}, does not match size "
                             f"of target_names, {len(target_names)}. Try specifying the labels "
                             f"parameter")
        warnings.warn(f"labels size, {len(labels_arr)}, does not match size of target_names, "
                      f"{len(target_names)}", stacklevel=2)
    if target_names is None:
        target_names = [str(label) for label in labels_arr]
    headers = ["precision", "recall", "f1-score", "support"]
    p, r, f1, s = precision_recall_fscore_support(yt, yp, labels_arr, average=None,
                                                  zero_division=zero_division, fn=fn)
    rows = list(zip(target_names, p, r, f1, s, strict=False))
    averages = []
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else average + " avg"
        avg = precision_recall_fscore_support(yt, yp, labels_arr, average=average,
                                              zero_division=zero_division, fn=fn)
        averages.append((heading, avg[0], avg[1], avg[2], np.sum(s)))
    if output_dict:
        report = {}
        for name, *values in rows + averages:
            report[name] = dict(zip(headers, (float(v) for v in values), strict=True))
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    width = max(max(len(name) for name in target_names), len("weighted avg"), digits)
    text = ("{:>{width}s} " + " {:>9}" * 4).format("", *headers, width=width) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        text += row_fmt.format(*row, width=width, digits=digits)
    text += "\n"
    for heading, *values in averages:
        if heading == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += fmt.format(heading, "", "", *values[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *values, width=width, digits=digits)
    return text
