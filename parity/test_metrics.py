"""minigrad.metrics against scikit-learn on random label sets: every average, pos_label,
labels and zero_division setting, confusion matrices and classification reports."""

import warnings

import numpy as np
import pytest

sk = pytest.importorskip("sklearn.metrics")

import minigrad  # noqa: E402
from minigrad import metrics  # noqa: E402

AVERAGES = ["binary", "micro", "macro", "weighted", None]
ZERO_DIVISION = ["warn", 0, 1, np.nan]


def label_sets(n_sets=12):
    """(y_true, y_pred) pairs: binary, multiclass, classes missing from one side, strings."""
    rng = np.random.default_rng(2024)
    out = []
    for i in range(n_sets):
        k = [2, 2, 3, 4, 6][i % 5]
        n = int(rng.integers(1, 60))
        y_true = rng.integers(0, k, n)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, n))
        if i % 4 == 1:
            y_pred[y_pred == k - 1] = 0  # the last class is never predicted
        out.append((y_true, y_pred))
    out.append((np.array([0, 0, 0]), np.array([0, 0, 0])))  # one class only
    out.append((np.array([1, 1, 1]), np.array([0, 0, 0])))  # no true negatives, no tp
    out.append((np.array(["cat", "dog", "cat", "bird"]), np.array(["cat", "cat", "dog", "bird"])))
    return out


CASES = label_sets()


def same(ours, theirs):
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)  # NaN equals NaN here
    else:
        np.testing.assert_array_equal(np.float64(ours), np.float64(theirs))


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kw)
        except ValueError as err:
            return ValueError, str(err).split(":")[0]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_accuracy_and_confusion_matrix(case):
    yt, yp = CASES[case]
    assert metrics.accuracy(yt, yp) == sk.accuracy_score(yt, yp)
    assert metrics.accuracy(yt, yp, normalize=False) == sk.accuracy_score(yt, yp,
                                                                           normalize=False)
    same(quiet(metrics.confusion_matrix, yt, yp), quiet(sk.confusion_matrix, yt, yp))
    labels = list(np.unique(yt)[::-1]) + (["zebra"] if yt.dtype.kind == "U" else [17])
    same(metrics.confusion_matrix(yt, yp, labels=labels),
         sk.confusion_matrix(yt, yp, labels=labels))
    for norm in ("true", "pred", "all"):
        same(quiet(metrics.confusion_matrix, yt, yp, normalize=norm),
             quiet(sk.confusion_matrix, yt, yp, normalize=norm))


@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("zero_division", ZERO_DIVISION)
def test_precision_recall_f1_every_average(average, zero_division):
    for yt, yp in CASES:
        pos_label = "cat" if yt.dtype.kind == "U" else 1
        for ours, theirs in ((metrics.precision_score, sk.precision_score),
                             (metrics.recall_score, sk.recall_score),
                             (metrics.f1_score, sk.f1_score)):
            kw = dict(average=average, zero_division=zero_division, pos_label=pos_label)
            want = quiet(theirs, yt, yp, **kw)
            got = quiet(ours, yt, yp, **kw)
            if isinstance(want, tuple) and want[0] is ValueError:
                assert got[0] is ValueError, (ours.__name__, got)
            else:
                same(got, want)


@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
def test_labels_subset_and_absent_labels(average):
    for yt, yp in CASES[:6]:
        for labels in ([0, 1], [1], [3, 0, 9]):
            for ours, theirs in ((metrics.precision_score, sk.precision_score),
                                 (metrics.recall_score, sk.recall_score),
                                 (metrics.f1_score, sk.f1_score)):
                same(quiet(ours, yt, yp, labels=labels, average=average),
                     quiet(theirs, yt, yp, labels=labels, average=average))


@pytest.mark.parametrize("pos_label", [0, 1])
def test_binary_pos_label(pos_label):
    for yt, yp in CASES:
        if yt.dtype.kind == "U" or len(np.union1d(yt, yp)) > 2:
            continue
        same(quiet(metrics.f1_score, yt, yp, pos_label=pos_label),
             quiet(sk.f1_score, yt, yp, pos_label=pos_label))


def test_precision_recall_fscore_support_per_label():
    for yt, yp in CASES:
        for ours, theirs in zip(quiet(metrics.precision_recall_fscore_support, yt, yp),
                                quiet(sk.precision_recall_fscore_support, yt, yp),
                                strict=True):
            same(ours, theirs)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_classification_report_text_and_dict(case):
    yt, yp = CASES[case]
    assert quiet(metrics.classification_report, yt, yp, digits=4, output_dict=True) == \
        quiet(sk.classification_report, yt, yp, digits=4, output_dict=True)
    if not np.any(yt == yp):
        pytest.skip("no correct prediction: scikit-learn then prints supports as floats (3.0)")
    assert quiet(metrics.classification_report, yt, yp) == \
        quiet(sk.classification_report, yt, yp)
    labels = list(np.unique(yt))[:2]
    names = [f"class {v}" for v in labels]
    assert quiet(metrics.classification_report, yt, yp, labels=labels, target_names=names,
                 digits=3) == \
        quiet(sk.classification_report, yt, yp, labels=labels, target_names=names, digits=3)


def test_minigrad_tensors_and_lists_are_accepted():
    yt, yp = CASES[3]
    want = sk.f1_score(yt, yp, average="macro")
    assert metrics.f1_score(minigrad.tensor(yt), minigrad.tensor(yp), average="macro") == want
    assert metrics.f1_score(yt.tolist(), yp.tolist(), average="macro") == want
