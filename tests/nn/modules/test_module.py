"""nn.Module (minigrad/nn/modules/module.py): registration on assignment, traversal order,
modes, bulk operations, hooks and repr. State dicts are in test_module_state_dict.py."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from tests.helpers import to_numpy as _np
from tests.nn.modules.helpers import Block, Net


# -- registration ----------------------------------------------------------------------------------
def test_assigning_parameters_modules_and_buffers_registers_them() -> None:
    m = nn.Module()
    m.w = nn.Parameter(minigrad.ones(2))
    m.child = nn.Linear(2, 2)
    m.register_buffer("stat", minigrad.zeros(2))
    m.plain = minigrad.ones(2)  # a plain tensor is just an attribute
    m.number = 3
    assert list(m._parameters) == ["w"]
    assert list(m._modules) == ["child"]
    assert list(m._buffers) == ["stat"]
    assert m.w is m._parameters["w"] and m.child is m._modules["child"]
    assert m.stat is m._buffers["stat"]
    assert [n for n, _ in m.named_parameters()] == ["w", "child.weight", "child.bias"]
    assert list(m.state_dict()) == ["w", "stat", "child.weight", "child.bias"]
    assert "plain" not in m.state_dict() and m.number == 3


def test_non_persistent_buffer_is_a_buffer_but_not_in_state_dict() -> None:
    m = nn.Module()
    m.register_buffer("kept", minigrad.zeros(2))
    m.register_buffer("scratch", minigrad.ones(2), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    assert list(m.state_dict()) == ["kept"]
    m.scratch = minigrad.full((2,), 5.0)  # re-assigning keeps it a non-persistent buffer
    assert _np(m.scratch).tolist() == [5.0, 5.0]
    assert list(m.state_dict()) == ["kept"]
    m.register_buffer("scratch", minigrad.zeros(2))  # re-registered as persistent
    assert list(m.state_dict()) == ["kept", "scratch"]


def test_buffer_set_to_none_is_skipped_everywhere() -> None:
    m = nn.Module()
    m.register_buffer("maybe", None)
    m.register_parameter("bias", None)
    assert list(m.buffers()) == [] and list(m.parameters()) == []
    assert m.maybe is None and m.bias is None
    assert list(m.state_dict()) == []


def test_replacing_a_parameter_or_module_keeps_its_place_in_the_order() -> None:
    lin = nn.Linear(2, 3)
    lin.weight = nn.Parameter(minigrad.zeros(3, 2))
    assert list(lin.state_dict()) == ["weight", "bias"]  # PyTorch's order, not bias first
    np.testing.assert_array_equal(_np(lin.weight), np.zeros((3, 2)))
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    seq.add_module("0", nn.Linear(2, 2, bias=False))
    assert list(seq._modules) == ["0", "1", "2"]
    assert list(seq.state_dict()) == ["0.weight", "2.weight", "2.bias"]


def test_replacing_across_kinds_removes_the_old_entry() -> None:
    m = nn.Module()
    m.x = nn.Parameter(minigrad.ones(1))
    m.x = nn.Linear(1, 1)  # parameter -> module
    assert "x" not in m._parameters and m._modules["x"] is m.x
    m.x = nn.Parameter(minigrad.zeros(1))  # module -> parameter
    assert "x" not in m._modules and m._parameters["x"] is m.x
    m.register_buffer("x", minigrad.ones(1))  # parameter -> buffer
    assert "x" not in m._parameters and list(m.state_dict()) == ["x"]


def test_assigning_wrong_types_to_registered_names_raises() -> None:
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        m.weight = minigrad.ones(2, 2)  # a plain tensor where a Parameter lives
    m.sub = nn.ReLU()
    with pytest.raises(TypeError, match="child module 'sub'"):
        m.sub = 3
    m.register_buffer("buf", minigrad.ones(1))
    with pytest.raises(TypeError, match="buffer 'buf'"):
        m.buf = [1.0]
    with pytest.raises(KeyError, match="can't contain"):
        m.register_buffer("a.b", minigrad.ones(1))
    with pytest.raises(KeyError, match="can't contain"):
        m.register_parameter("", nn.Parameter(minigrad.ones(1)))
    with pytest.raises(TypeError, match="not a Module"):
        m.add_module("bad", 3)


def test_assigning_none_to_a_parameter_or_module_unregisters_its_value() -> None:
    m = nn.Linear(2, 2)
    m.bias = None
    assert "bias" in m._parameters and m.bias is None
    assert list(m.state_dict()) == ["weight"]
    seq = nn.Sequential(nn.Linear(1, 1))
    seq.add_module("0", None)
    assert list(seq.state_dict()) == [] and list(seq.children()) == []


def test_assignment_before_init_raises() -> None:
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(minigrad.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_deleting_attributes_unregisters_them() -> None:
    m = Block()
    del m.fc
    del m.running
    del m.mask
    assert list(m.state_dict()) == []
    assert list(m.named_buffers()) == []
    with pytest.raises(AttributeError, match="has no attribute 'fc'"):
        _ = m.fc
    m.fc = nn.Linear(1, 1)
    assert list(m.state_dict()) == ["fc.weight", "fc.bias"]


def test_get_submodule_and_get_parameter() -> None:
    net = Net()
    assert net.get_submodule("body.1.fc") is net.body[1].fc
    assert net.get_parameter("body.0.fc.bias") is net.body[0].fc.bias
    assert net.get_parameter("scale") is net.scale
    with pytest.raises(AttributeError, match="no submodule 'nope'"):
        net.get_submodule("body.nope")
    with pytest.raises(AttributeError, match="no parameter 'gamma'"):
        net.get_parameter("head.gamma")


# -- traversal -------------------------------------------------------------------------------------
def test_tied_weights_appear_once_in_parameters_but_twice_in_state_dict() -> None:
    m = nn.Module()
    m.enc = nn.Linear(4, 4)
    m.dec = nn.Linear(4, 4)
    m.dec.weight = m.enc.weight
    names = [n for n, _ in m.named_parameters()]
    assert names == ["enc.weight", "enc.bias", "dec.bias"]
    assert len(list(m.parameters())) == 3
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert list(m.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    x = minigrad.randn(2, 4)
    m.dec(m.enc(x)).sum().backward()
    assert m.enc.weight.grad is m.dec.weight.grad  # one parameter, one accumulated grad


def test_shared_submodule_is_visited_once() -> None:
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(m.named_modules(remove_duplicate=False))) == 4


def test_named_modules_children_and_modules_order() -> None:
    net = Net()
    assert [n for n, _ in net.named_modules()] == [
        "", "body", "body.0", "body.0.fc", "body.0.act", "body.1", "body.1.fc", "body.1.act",
        "head"]
    assert [n for n, _ in net.named_modules(prefix="model")][:3] == [
        "model", "model.body", "model.body.0"]
    assert [n for n, _ in net.named_children()] == ["body", "head"]
    assert list(net.children()) == [net.body, net.head]
    assert list(net.modules())[:3] == [net, net.body, net.body[0]]
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "body.0.fc.weight", "body.0.fc.bias", "body.1.fc.weight", "body.1.fc.bias",
        "head.weight", "head.bias"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_buffers()] == [
        "body.0.running", "body.0.mask", "body.1.running", "body.1.mask"]
    assert [n for n, _ in net.named_parameters(prefix="m")][0] == "m.scale"


def test_deep_nesting_does_not_recurse() -> None:
    m = nn.Linear(1, 1)
    for _ in range(3000):
        m = nn.Sequential(m)
    assert len(list(m.modules())) == 3001
    assert len(list(m.parameters())) == 2


# -- modes and bulk operations ---------------------------------------------------------------------
def test_train_and_eval_recurse_and_return_self() -> None:
    net = Net()
    assert all(mod.training for mod in net.modules())
    assert net.eval() is net
    assert not any(mod.training for mod in net.modules())
    assert net.train() is net
    assert all(mod.training for mod in net.modules())
    net.body.train(False)
    assert net.training and not net.body[0].fc.training and net.head.training
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_zero_grad_sets_to_none_by_default() -> None:
    net = Net()
    net(minigrad.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_without_set_to_none_zeroes_in_place() -> None:
    net = Net()
    net(minigrad.randn(4, 3)).sum().backward()
    before = {id(p): p.grad for p in net.parameters()}
    net.zero_grad(set_to_none=False)
    for p in net.parameters():
        assert p.grad is before[id(p)]
        assert not _np(p.grad).any()
    net(minigrad.randn(4, 3)).sum().backward()  # accumulates into the zeroed tensors
    assert _np(net.head.bias.grad).tolist() == [4.0, 4.0]


def test_requires_grad_toggles_every_parameter() -> None:
    net = Net()
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


def test_apply_visits_children_first_then_self() -> None:
    net = Net()
    names = {id(m): n for n, m in net.named_modules()}
    seen = []
    assert net.apply(lambda m: seen.append(names[id(m)])) is net
    assert seen == ["body.0.fc", "body.0.act", "body.0", "body.1.fc", "body.1.act", "body.1",
                    "body", "head", ""]


def test_apply_can_initialise_weights() -> None:
    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    net = Net().apply(init)
    assert all((_np(m.weight) == 0.5).all() for m in net.modules() if isinstance(m, nn.Linear))


def test_to_float64_casts_parameters_buffers_and_grads() -> None:
    net = Net()
    net.register_buffer("count", minigrad.tensor(np.array([3], dtype=np.int64)))
    net(minigrad.randn(2, 3)).sum().backward()
    weight = net.head.weight
    assert net.to(minigrad.float64) is net
    assert net.head.weight is weight  # the same Parameter objects, cast in place
    for p in net.parameters():
        assert p.dtype == minigrad.float64 and p.grad.dtype == minigrad.float64
    assert net.body[0].running.dtype == minigrad.float64
    assert net.body[0].mask.dtype == minigrad.float64
    assert net.count.dtype == minigrad.int64  # integer buffers keep their dtype
    out = net(minigrad.randn(2, 3, dtype=minigrad.float64))
    assert out.dtype == minigrad.float64
    assert net.float().head.weight.dtype == minigrad.float32
    assert net.double().head.bias.dtype == minigrad.float64
    assert net.to(dtype=minigrad.float32).scale.dtype == minigrad.float32
    assert net.to("cpu") is net


def test_deepcopy_copies_parameters_and_buffers_and_keeps_ties() -> None:
    import copy

    net = Net()
    net.body[1].fc = net.body[0].fc  # a shared submodule
    x = minigrad.randn(4, 3)
    net(x).sum().backward()
    clone = copy.deepcopy(net)
    assert clone.body[1].fc is clone.body[0].fc  # the tie survives
    for (name, a), (_, b) in zip(net.state_dict(keep_vars=True).items(),
                                 clone.state_dict(keep_vars=True).items(), strict=True):
        assert a is not b and type(a) is type(b), name
        assert not np.shares_memory(a.data, b.data), name
        np.testing.assert_array_equal(_np(a), _np(b))
    assert all(p.requires_grad and p.grad is None for p in clone.parameters())  # as PyTorch
    np.testing.assert_array_equal(_np(clone(x)), _np(net(x)))
    with minigrad.no_grad():
        clone.head.bias.fill_(5.0)
    assert not (_np(net.head.bias) == 5.0).any()


# -- hooks -----------------------------------------------------------------------------------------
def test_forward_hook_sees_inputs_and_output_and_can_replace_output() -> None:
    lin = nn.Linear(3, 2)
    seen = []

    def record(module, inputs, output):
        seen.append((module, inputs, output))

    handle = lin.register_forward_hook(record)
    x = minigrad.randn(4, 3)
    out = lin(x)
    (module, inputs, output), = seen
    assert module is lin and isinstance(inputs, tuple) and inputs[0] is x and output is out
    replace = lin.register_forward_hook(lambda m, i, o: o * 0)
    assert not _np(lin(x)).any()
    replace.remove()
    handle.remove()
    handle.remove()  # removing twice is harmless
    assert _np(lin(x)).any() and len(seen) == 2


def test_forward_pre_hook_can_replace_the_input() -> None:
    lin = nn.Linear(3, 2)
    x = minigrad.randn(4, 3)
    handle = lin.register_forward_pre_hook(lambda m, inputs: inputs[0] * 0)  # non-tuple: wrapped
    np.testing.assert_allclose(_np(lin(x)), np.broadcast_to(_np(lin.bias), (4, 2)))
    handle.remove()
    handle = lin.register_forward_pre_hook(lambda m, inputs: (inputs[0] + 1,))
    expected = (_np(x) + 1) @ _np(lin.weight).T + _np(lin.bias)
    np.testing.assert_allclose(_np(lin(x)), expected, rtol=1e-6)
    handle.remove()
    np.testing.assert_allclose(_np(lin(x)), _np(x) @ _np(lin.weight).T
                               + _np(lin.bias), rtol=1e-6)


def test_hooks_run_in_registration_order_and_the_forward_hook_sees_new_inputs() -> None:
    lin = nn.Identity()
    calls = []
    lin.register_forward_pre_hook(lambda m, i: calls.append("pre1"))
    lin.register_forward_pre_hook(lambda m, i: (i[0] * 2,))
    lin.register_forward_hook(lambda m, i, o: calls.append(("post", float(i[0].sum()))))
    lin.register_forward_hook(lambda m, i, o: o + 1)
    out = lin(minigrad.ones(1))
    assert calls == ["pre1", ("post", 2.0)] and out.item() == 3.0


def test_the_same_hook_registered_twice_runs_twice_and_handles_are_independent() -> None:
    lin = nn.Linear(1, 1)
    calls = []

    def other(m, i, o):
        pass

    def count(m, i, o):
        calls.append(1)

    first = lin.register_forward_hook(other)
    lin.register_forward_hook(count)
    first.remove()
    again = lin.register_forward_hook(count)  # used to reuse the key of the first `count`
    lin(minigrad.ones(1))
    assert len(calls) == 2
    again.remove()
    lin(minigrad.ones(1))
    assert len(calls) == 3


# -- repr ------------------------------------------------------------------------------------------
def test_repr_of_a_nested_sequential_is_pytorchs() -> None:
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 128),
        nn.ReLU(),
        nn.Sequential(nn.Dropout(0.2), nn.Linear(128, 10, bias=False), nn.LogSoftmax(dim=1)),
        nn.GELU(approximate="tanh"),
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Flatten(start_dim=1, end_dim=-1)\n"
        "  (1): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (2): ReLU()\n"
        "  (3): Sequential(\n"
        "    (0): Dropout(p=0.2, inplace=False)\n"
        "    (1): Linear(in_features=128, out_features=10, bias=False)\n"
        "    (2): LogSoftmax(dim=1)\n"
        "  )\n"
        "  (4): GELU(approximate='tanh')\n"
        ")"
    )


def test_repr_of_a_custom_module_and_of_repeated_modulelist_entries() -> None:
    assert repr(Block()) == (
        "Block(\n"
        "  (fc): Linear(in_features=3, out_features=3, bias=True)\n"
        "  (act): ReLU()\n"
        ")"
    )
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Tanh()])
    assert repr(blocks) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): Tanh()\n"
        ")"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert repr(nn.Sequential()) == "Sequential()"
    assert repr(nn.ModuleDict({"a": nn.ReLU()})) == "ModuleDict(\n  (a): ReLU()\n)"
