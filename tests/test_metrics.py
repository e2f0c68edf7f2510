"""minigrad.metrics against confusion matrices and scores worked out by hand."""

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import metrics

# Three classes. Confusion matrix (rows true, columns predicted):
#   [[1, 2, 0],     tp = [1, 1, 1]
#    [0, 1, 1],     predicted per class (column sums) = [1, 3, 2]
#    [0, 0, 1]]     true per class (row sums)         = [3, 2, 1]
Y_TRUE = [0, 0, 0, 1, 1, 2]
Y_PRED = [0, 1, 1, 1, 2, 2]
PRECISION = [1.0, 1 / 3, 1 / 2]      # tp / predicted
RECALL = [1 / 3, 1 / 2, 1.0]         # tp / true
F1 = [2 / 4, 2 / 5, 2 / 3]           # 2 tp / (true + predicted)


def test_accuracy():
    assert metrics.accuracy(Y_TRUE, Y_PRED) == 0.5
    assert metrics.accuracy(Y_TRUE, Y_PRED, normalize=False) == 3.0
    assert metrics.accuracy_score is metrics.accuracy


def test_inputs_may_be_tensors_arrays_or_lists():
    for convert in (list, np.array, minigrad.tensor, lambda y: np.array(y)[:, None]):
        assert metrics.accuracy(convert(Y_TRUE), convert(Y_PRED)) == 0.5


def test_confusion_matrix_rows_are_true_columns_predicted():
    cm = metrics.confusion_matrix(Y_TRUE, Y_PRED)
    assert cm.dtype == np.int64
    assert cm.tolist() == [[1, 2, 0], [0, 1, 1], [0, 0, 1]]


def test_confusion_matrix_with_labels_reorders_and_drops():
    cm = metrics.confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0, 7])
    assert cm.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]  # samples with label 1 are dropped
    with pytest.raises(ValueError, match="at least one label specified must be in y_true"):
        metrics.confusion_matrix(Y_TRUE, Y_PRED, labels=[8, 9])
    with pytest.raises(ValueError, match="non-empty"):
        metrics.confusion_matrix(Y_TRUE, Y_PRED, labels=[])


def test_confusion_matrix_normalized():
    cm = metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="true")
    np.testing.assert_allclose(cm[0], [1 / 3, 2 / 3, 0])
    cm = metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="pred")
    np.testing.assert_allclose(cm[:, 1], [2 / 3, 1 / 3, 0])
    assert metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="all").sum() == pytest.approx(1)
    zero_row = metrics.confusion_matrix([0, 0], [0, 0], labels=[0, 1], normalize="true")
    assert zero_row.tolist() == [[1.0, 0.0], [0.0, 0.0]]  # 0/0 becomes 0


def test_string_labels():
    cm = metrics.confusion_matrix(["cat", "dog", "cat"], ["dog", "dog", "cat"])
    assert cm.tolist() == [[1, 1], [0, 1]]
    assert metrics.precision_score(["cat", "dog", "cat"], ["dog", "dog", "cat"],
                                   pos_label="dog") == 0.5


def test_per_label_scores():
    p, r, f, support = metrics.precision_recall_fscore_support(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(p, PRECISION)
    np.testing.assert_allclose(r, RECALL)
    np.testing.assert_allclose(f, F1)
    assert support.tolist() == [3, 2, 1]
    np.testing.assert_allclose(metrics.f1_score(Y_TRUE, Y_PRED, average=None), F1)


@pytest.mark.parametrize("average,p,r,f", [
    ("macro", 11 / 18, 11 / 18, (1 / 2 + 2 / 5 + 2 / 3) / 3),
    ("weighted", (3 * 1 + 2 / 3 + 1 / 2) / 6, 1 / 2, (3 / 2 + 4 / 5 + 2 / 3) / 6),
    ("micro", 1 / 2, 1 / 2, 1 / 2),  # pooled: 3 tp out of 6 predictions and 6 true labels
])
def test_averages(average, p, r, f):
    assert metrics.precision_score(Y_TRUE, Y_PRED, average=average) == pytest.approx(p)
    assert metrics.recall_score(Y_TRUE, Y_PRED, average=average) == pytest.approx(r)
    assert metrics.f1_score(Y_TRUE, Y_PRED, average=average) == pytest.approx(f)


def test_binary_scores_and_pos_label():
    y_true, y_pred = [1, 1, 0, 0, 1], [1, 0, 0, 1, 1]  # for 1: tp 2, fp 1, fn 1
    assert metrics.precision_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.recall_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.f1_score(y_true, y_pred) == pytest.approx(2 / 3)
    # for 0: tp 1 (sample 2), fp 1 (sample 1), fn 1 (sample 3)
    assert metrics.f1_score(y_true, y_pred, pos_label=0) == pytest.approx(1 / 2)


def test_labels_restrict_the_average():
    # macro over labels 0 and 2 only: precision (1 + 1/2) / 2
    assert metrics.precision_score(Y_TRUE, Y_PRED, labels=[0, 2], average="macro") == 0.75
    # an absent label scores zero_division and counts in the macro mean
    p = metrics.precision_score(Y_TRUE, Y_PRED, labels=[0, 5], average=None, zero_division=1)
    assert p.tolist() == [1.0, 1.0]


def test_zero_division_when_nothing_is_predicted_positive():
    y_true, y_pred = [0, 0, 1], [0, 0, 0]  # pos 1: tp 0, predicted 0, true 1
    with pytest.warns(metrics.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert metrics.precision_score(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an explicit zero_division does not warn
        assert metrics.precision_score(y_true, y_pred, zero_division=1) == 1.0
        assert math.isnan(metrics.precision_score(y_true, y_pred, zero_division=np.nan))
        assert metrics.recall_score(y_true, y_pred) == 0.0  # 0 / 1 is well defined
        assert metrics.f1_score(y_true, y_pred) == 0.0  # 2*0 / (1 + 0)


def test_zero_division_when_a_label_never_occurs():
    # pos_label 1 never appears: tp = predicted = true = 0, so every score is zero_division
    for fn in (metrics.precision_score, metrics.recall_score, metrics.f1_score):
        assert fn([0, 0], [0, 0], zero_division=1) == 1.0
        assert fn([0, 0], [0, 0], zero_division=0) == 0.0


def test_nan_zero_division_is_left_out_of_the_macro_average():
    y_true, y_pred = [0, 1, 2, 2], [0, 1, 1, 1]  # class 2 is never predicted
    p = metrics.precision_score(y_true, y_pred, average=None, zero_division=np.nan)
    assert p[:2].tolist() == [1.0, 1 / 3] and math.isnan(p[2])
    macro = metrics.precision_score(y_true, y_pred, average="macro", zero_division=np.nan)
    assert macro == pytest.approx((1 + 1 / 3) / 2)
    assert metrics.precision_score(y_true, y_pred, average="macro",
                                   zero_division=0) == pytest.approx((1 + 1 / 3) / 3)


def test_bad_inputs_name_the_problem():
    with pytest.raises(ValueError, match="average='binary'"):
        metrics.f1_score(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        metrics.f1_score([0, 1], [1, 0], pos_label=2)
    with pytest.raises(ValueError, match="average has to be one of"):
        metrics.f1_score(Y_TRUE, Y_PRED, average="mean")
    with pytest.raises(ValueError, match="zero_division"):
        metrics.f1_score([0, 1], [1, 0], zero_division=0.5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples: 6 and 5"):
        metrics.accuracy(Y_TRUE, Y_PRED[:5])
    with pytest.raises(ValueError, match=r"shape \(6, 3\).*argmax"):
        metrics.accuracy(Y_TRUE, np.zeros((6, 3)))
    with pytest.raises(ValueError, match="continuous"):
        metrics.accuracy([0.5, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="mix of string and number"):
        metrics.accuracy(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        metrics.accuracy([], [])
    with pytest.raises(ValueError, match="normalize"):
        metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize="rows")


REPORT = """\
              precision    recall  f1-score   support

           0       0.50      1.00      0.67         1
           1       0.00      0.00      0.00         1
           2       1.00      0.67      0.80         3

    accuracy                           0.60         5
   macro avg       0.50      0.56      0.49         5
weighted avg       0.70      0.60      0.61         5
"""


def test_classification_report_text():
    # class 0: p 1/2, r 1/1; class 1: p 0/1, r 0/1; class 2: p 2/2, r 2/3
    assert metrics.classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]) == REPORT


def test_classification_report_names_digits_and_dict():
    text = metrics.classification_report([0, 1, 1], [0, 1, 0], target_names=["neg", "pos"],
                                         digits=3)
    assert "         neg      0.500     1.000     0.667         1" in text
    report = metrics.classification_report([0, 1, 1], [0, 1, 0], output_dict=True)
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert report["1"] == {"precision": 1.0, "recall": 0.5, "f1-score": pytest.approx(2 / 3),
                           "support": 2.0}
    assert set(report) == {"0", "1", "accuracy", "macro avg", "weighted avg"}
    with pytest.raises(ValueError, match="target_names"):
        metrics.classification_report([0, 1], [0, 1], target_names=["a"])


def test_classification_report_with_a_label_subset_shows_micro_avg():
    text = metrics.classification_report(Y_TRUE, Y_PRED, labels=[0, 2])
    assert "micro avg" in text and "accuracy" not in text
