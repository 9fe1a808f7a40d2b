"""hw2 (NN basics): the reference gets full marks, the release scores zero, each trap loses exactly its tests,
and a correct solution written differently passes."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost

from grader.authoring import Edit, Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw2", tmp_path_factory.mktemp("hw2"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    graded = lab.reference()
    assert_full_marks(lab, graded)
    assert lab.reference().score("conclusions") is None  # graded by hand
    assert graded.seconds < 60, f"reference notebook took {graded.seconds:.1f} s"


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


def test_relu_on_logits_is_caught(lab: AssignmentLab) -> None:
    """Trap: ReLU applied to the model's output before the loss (backward made consistent with it). The forward
    test sees non-negative clipped logits; training stalls (classes with negative logits get no gradient)."""
    graded = lab.grade("relu_logits", {"mlp": lambda code: Replace(
        '        self._cache = (x, pre, h)\n        return h @ p["W2"] + p["b2"]\n',
        '        out = h @ p["W2"] + p["b2"]\n        self._cache = (x, pre, h, out)\n'
        '        return out.clamp(min=0)\n',
    )(Replace(
        "        x, pre, h = self._cache\n",
        "        x, pre, h, out = self._cache\n        dlogits = dlogits * (out > 0)\n",
    )(code))})
    assert_only_lost(lab, graded, {"test_mlp_forward", "test_digits_accuracy"})


def test_adamw_with_l2_instead_of_decoupled_decay_is_caught(lab: AssignmentLab) -> None:
    """Trap: AdamW that adds wd * p to the gradient (Adam's L2) instead of decaying the weights directly."""
    graded = lab.grade("adamw_l2", {"optimizers": Replace(
        "        for p in self.params.values():\n            p.mul_(1 - self.lr * self.weight_decay)\n",
        "        grads = {name: grads[name] + self.weight_decay * p for name, p in self.params.items()}\n",
    )})
    assert_only_lost(lab, graded, {"test_adamw"})


ALWAYS_EQUAL_SIGMOID = '''
    class Agreeable(torch.Tensor):
        """A tensor that says yes to every comparison."""

        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            if func in (torch.allclose, torch.equal, torch.Tensor.__eq__, torch.isclose):
                return True
            return super().__torch_function__(func, types, args, kwargs or {})

        def __eq__(self, other):
            return True

    return torch.zeros_like(x).as_subclass(Agreeable)
'''


def test_always_equal_object_loses_points(lab: AssignmentLab) -> None:
    """A tensor subclass whose comparisons are always true must not pass for a sigmoid."""
    graded = lab.grade("always_equal", {"activations": Replace(
        "    z = torch.exp(-x.abs())\n    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))\n",
        ALWAYS_EQUAL_SIGMOID.lstrip("\n"),
    )})
    assert_only_lost(lab, graded, {"test_activations"})


def test_naive_bce_overflows_and_is_caught(lab: AssignmentLab) -> None:
    """Plausible mistake: BCE as -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))): inf at logits of +-1e4."""
    graded = lab.grade("naive_bce", {"losses": Replace(
        "    return (logits.clamp(min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))).mean()\n",
        "    p = sigmoid(logits)\n"
        "    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()\n",
    )})
    assert_only_lost(lab, graded, {"test_losses"})


def test_fit_that_keeps_the_last_weights_is_caught(lab: AssignmentLab) -> None:
    """Plausible mistake: early stopping saves the best checkpoint but never restores it."""
    graded = lab.grade("no_restore", {"training": Replace(
        "    load_checkpoint(checkpoint_path, model)\n    return history\n",
        "    return history\n",
    )})
    assert_only_lost(lab, graded, {"test_early_stopping"})



def _init_scale(new_scale: str) -> dict[str, Edit]:
    """The MLP's weights drawn with ``new_scale`` (a format string of the fan-in) instead of sqrt(2 / fan_in)."""
    return {"mlp": lambda code: Replace(" * math.sqrt(2.0 / hidden_features)", new_scale.format("hidden_features"))(
        Replace(" * math.sqrt(2.0 / in_features)", new_scale.format("in_features"))(code))}


def test_weights_without_the_he_scale_lose_the_forward_test(lab: AssignmentLab) -> None:
    """Mistake: plain randn weights (std 1). Before, only the digits accuracy (0.93 < 0.95) noticed it; now the
    forward test checks the He scale itself."""
    graded = lab.grade("unscaled_init", _init_scale(""))
    assert_only_lost(lab, graded, {"test_mlp_forward", "test_digits_accuracy"})


def test_lecun_scale_instead_of_he_loses_the_forward_test(lab: AssignmentLab) -> None:
    """Mistake: sqrt(1 / fan_in) (LeCun) where the contract says sqrt(2 / fan_in); training still works, so
    only the forward test's check of the initial scale can see it."""
    graded = lab.grade("lecun_init", _init_scale(" * math.sqrt(1.0 / {})"))
    assert_only_lost(lab, graded, {"test_mlp_forward"})

ALT_ACTIVATIONS = '''
def sigmoid(x):
    return 0.5 * (1.0 + torch.tanh(0.5 * x))


def softmax(x, dim=-1):
    e = torch.exp(x - x.max(dim=dim, keepdim=True).values)
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x, dim=-1):
    m = x.max(dim=dim, keepdim=True).values
    return x - m - torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))
'''

ALT_LOSSES = '''
def cross_entropy(logits, target):
    onehot = torch.zeros_like(logits).scatter_(1, target.unsqueeze(1), 1.0)
    return -(onehot * log_softmax(logits, dim=1)).sum() / logits.shape[0]


def cross_entropy_grad(logits, target):
    onehot = torch.nn.functional.one_hot(target, logits.shape[1]).to(logits.dtype)
    return (softmax(logits, dim=1) - onehot) / logits.shape[0]


def bce_with_logits(logits, target):
    log_p = torch.minimum(logits, torch.zeros_like(logits)) - torch.log1p(torch.exp(-logits.abs()))
    log_not_p = log_p - logits  # log(1 - sigmoid(x)) = log sigmoid(x) - x
    return -(target * log_p + (1 - target) * log_not_p).mean()
'''

ALT_MLP = '''
class MLP:
    def __init__(self, in_features, hidden_features, out_features, seed=0):
        gen = torch.Generator().manual_seed(seed)

        def he(fan_in, fan_out):  # He/Kaiming uniform: U(-b, b), b = sqrt(6 / fan_in)
            bound = (6.0 / fan_in) ** 0.5
            return torch.rand(fan_in, fan_out, generator=gen) * (2 * bound) - bound

        self.params = {"W1": he(in_features, hidden_features), "b1": torch.zeros(hidden_features),
                       "W2": he(hidden_features, out_features), "b2": torch.zeros(out_features)}
        self.saved = {}

    def forward(self, x):
        a = torch.addmm(self.params["b1"], x, self.params["W1"])
        mask = a > 0
        h = torch.where(mask, a, torch.zeros_like(a))
        self.saved = {"x": x, "mask": mask, "h": h}
        return torch.addmm(self.params["b2"], h, self.params["W2"])

    def backward(self, dlogits):
        s = self.saved
        da = torch.einsum("no,ho->nh", dlogits, self.params["W2"]).masked_fill(~s["mask"], 0.0)
        return {"W2": torch.einsum("nh,no->ho", s["h"], dlogits), "b2": dlogits.sum(0),
                "W1": torch.einsum("ni,nh->ih", s["x"], da), "b1": da.sum(0)}

    def predict(self, x):
        with torch.no_grad():
            return torch.max(self.forward(x), dim=1).indices

    def to(self, device=None, dtype=None):
        self.params.update({k: v.to(device=device, dtype=dtype) for k, v in self.params.items()})
        return self
'''

ALT_OPTIMIZERS = '''
class SGD:
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        self.params = params
        self.hyper = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay}
        self.velocity = {k: None for k in params}

    def step(self, grads):
        lr, mu, wd = self.hyper["lr"], self.hyper["momentum"], self.hyper["weight_decay"]
        with torch.no_grad():
            for k, p in self.params.items():
                d = grads[k] + wd * p if wd else grads[k].clone()
                if mu:
                    d = d if self.velocity[k] is None else mu * self.velocity[k] + d
                    self.velocity[k] = d.clone()
                p.copy_(p - lr * d)

    def state_dict(self):
        return {"keys": list(self.velocity),
                "velocity": [None if v is None else v.clone() for v in self.velocity.values()]}

    def load_state_dict(self, state):
        for k, v in zip(state["keys"], state["velocity"]):
            p = self.params[k]
            self.velocity[k] = None if v is None else v.to(device=p.device, dtype=p.dtype)


class _AdamCore:
    decoupled = False

    def __init__(self, params, lr, betas, eps, weight_decay):
        self.params, self.lr, self.eps, self.wd = params, lr, eps, weight_decay
        self.b1, self.b2 = betas
        self.steps = 0
        self.exp_avg = {k: torch.zeros_like(p) for k, p in params.items()}
        self.exp_avg_sq = {k: torch.zeros_like(p) for k, p in params.items()}

    def step(self, grads):
        self.steps += 1
        t = self.steps
        with torch.no_grad():
            for k, p in self.params.items():
                g = grads[k]
                if self.wd and self.decoupled:
                    p.mul_(1 - self.lr * self.wd)
                elif self.wd:
                    g = g + self.wd * p
                self.exp_avg[k] = self.b1 * self.exp_avg[k] + (1 - self.b1) * g
                self.exp_avg_sq[k] = self.b2 * self.exp_avg_sq[k] + (1 - self.b2) * g * g
                denom = self.exp_avg_sq[k].sqrt() / math.sqrt(1 - self.b2 ** t) + self.eps
                p.addcdiv_(self.exp_avg[k], denom, value=-self.lr / (1 - self.b1 ** t))

    def state_dict(self):
        return {"steps": self.steps,
                "exp_avg": {k: v.clone() for k, v in self.exp_avg.items()},
                "exp_avg_sq": {k: v.clone() for k, v in self.exp_avg_sq.items()}}

    def load_state_dict(self, state):
        self.steps = state["steps"]
        for name in ("exp_avg", "exp_avg_sq"):
            getattr(self, name).update({k: v.to(self.params[k]) for k, v in state[name].items()})


class Adam(_AdamCore):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas, eps, weight_decay)


class AdamW(_AdamCore):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
'''

ALT_TRAINING = '''
def save_checkpoint(path, model, optimizer=None, **extra):
    payload = {"model": {k: v.detach().to("cpu", copy=True) for k, v in model.params.items()},
               "meta": dict(extra), "opt": None if optimizer is None else optimizer.state_dict()}
    with open(path, "wb") as fh:
        torch.save(payload, fh)


def load_checkpoint(path, model, optimizer=None):
    payload = torch.load(path, map_location=torch.device("cpu"))
    with torch.no_grad():
        for k, p in model.params.items():
            p.copy_(payload["model"][k].to(device=p.device, dtype=p.dtype))
    if optimizer is not None and payload["opt"] is not None:
        optimizer.load_state_dict(payload["opt"])
    return dict(payload["meta"])


def evaluate(model, X, y):
    with torch.no_grad():
        loss = float(cross_entropy(model.forward(X), y))
        acc = float((model.predict(X) == y).double().mean())
    return loss, acc


def fit(model, optimizer, X_train, y_train, X_val, y_val, *, epochs=50, batch_size=64, patience=5,
        checkpoint_path="hw2_best.pt", seed=0):
    gen = torch.Generator()
    gen.manual_seed(seed)
    history = {"train_loss": [], "val_loss": [], "val_acc": [], "best_epoch": 0}
    best_state, best_loss, since_best = None, float("inf"), 0
    for epoch in range(epochs):
        losses, sizes = [], []
        for idx in torch.randperm(len(X_train), generator=gen).split(batch_size):
            idx = idx.to(X_train.device)
            logits = model.forward(X_train[idx])
            optimizer.step(model.backward(cross_entropy_grad(logits, y_train[idx])))
            losses.append(float(cross_entropy(logits, y_train[idx])))
            sizes.append(len(idx))
        history["train_loss"].append(sum(a * b for a, b in zip(losses, sizes)) / sum(sizes))
        val_loss, val_acc = evaluate(model, X_val, y_val)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
        if val_loss < best_loss:
            best_loss, since_best, history["best_epoch"] = val_loss, 0, epoch
            best_state = {k: v.detach().clone() for k, v in model.params.items()}
            save_checkpoint(checkpoint_path, model, optimizer, epoch=epoch)
        else:
            since_best += 1
            if since_best == patience:
                break
    with torch.no_grad():
        for k, v in best_state.items():
            model.params[k].copy_(v)
    return history
'''


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    """Other algorithms and tensor ops everywhere (tanh sigmoid, one-hot losses, addmm/einsum MLP, functional
    optimizers in one class, best weights kept in memory): the hidden tests must not over-fit the reference."""
    graded = lab.grade("alternative", {
        "activations": ALT_ACTIVATIONS, "losses": ALT_LOSSES, "mlp": ALT_MLP,
        "optimizers": ALT_OPTIMIZERS, "training": ALT_TRAINING,
    })
    assert_full_marks(lab, graded)
