"""hw6 (CNN, augmentation, fine-tuning): the reference gets full marks, the release scores zero, each trap loses
exactly its test, and a correct solution written differently passes."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost, gpu_cells

from grader.authoring import Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw6", tmp_path_factory.mktemp("hw6"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    graded = lab.reference()
    assert_full_marks(lab, graded)
    assert graded.score("conclusions") is None  # graded by hand
    assert gpu_cells(lab) == {"test_gpu"}
    assert graded.seconds < 60, f"reference notebook took {graded.seconds:.1f} s"


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


FREEZE_WITHOUT_BN = '''
def freeze_backbone(model):
    for p in model.features.parameters():
        p.requires_grad = False
    model.features.eval()  # undone by the next model.train(): BatchNorm updates its statistics again
    return model
'''


def test_frozen_backbone_with_drifting_batchnorm_is_caught(lab: AssignmentLab) -> None:
    """Trap: a 'frozen' backbone whose BatchNorm layers go back to train mode with model.train(): its weights
    stay, but running_mean / running_var drift with the new data (and batches are normalized by their own
    statistics)."""
    graded = lab.grade("freeze_without_bn", {"freeze_backbone": FREEZE_WITHOUT_BN.lstrip("\n")})
    assert_only_lost(lab, graded, {"test_freeze_backbone"})


def test_weight_decay_on_norm_parameters_is_caught(lab: AssignmentLab) -> None:
    """Trap: parameter groups that spare only the biases: BatchNorm / LayerNorm / GroupNorm scales get decayed."""
    graded = lab.grade("decay_norms", {"param_groups": Replace(
        'if isinstance(module, norm_types) or name.endswith("bias"):',
        'if name.endswith("bias"):',
    )})
    assert_only_lost(lab, graded, {"test_param_groups"})


ALWAYS_EQUAL_CONV = '''
class AlwaysEqual:
    """Says yes to every comparison."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return AlwaysEqual()
'''


def test_always_equal_object_loses_points(lab: AssignmentLab) -> None:
    """An object whose == is always true passes the visible asserts but not the type check of the hidden ones."""
    graded = lab.grade("always_equal", {"conv_output_size": ALWAYS_EQUAL_CONV.lstrip("\n")})
    assert_only_lost(lab, graded, {"test_conv_output_size"})


ROLL_SHIFT = '''
def random_shift(x, max_shift=1, generator=None):
    shifts = torch.randint(-max_shift, max_shift + 1, (x.shape[0], 2), generator=generator)
    return torch.stack([torch.roll(img, (int(dy), int(dx)), dims=(1, 2)) for img, (dy, dx) in zip(x, shifts)])
'''


def test_shift_that_wraps_around_is_caught(lab: AssignmentLab) -> None:
    """Plausible mistake: torch.roll as a shift: what leaves one edge comes back at the other instead of zeros."""
    graded = lab.grade("roll_shift", {"random_shift": ROLL_SHIFT.lstrip("\n")})
    assert_only_lost(lab, graded, {"test_random_shift"})


def test_transfer_model_that_edits_the_pretrained_one_is_caught(lab: AssignmentLab) -> None:
    """Plausible mistake: no copy: the 'new' model is the pre-trained one, whose head is replaced and whose
    backbone is then trained (or re-initialized) in place."""
    graded = lab.grade("no_copy", {"make_transfer_model": Replace(
        "    model = copy.deepcopy(pretrained)\n", "    model = pretrained\n",
    )})
    assert_only_lost(lab, graded, {"test_transfer"})


ALT_CONV = '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1  # what one output position sees
    starts = range(0, size + 2 * padding - span + 1, stride)  # left edges of the windows
    if len(starts) == 0:
        raise ValueError("the kernel does not fit into the padded input")
    return len(starts)
'''

ALT_CNN = '''
class ConvBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([ConvBlock(1, 16, 1), ConvBlock(16, 32, 2), ConvBlock(32, 64, 2)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x.mean(dim=(2, 3))  # global average pooling


class SmallCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = Backbone()
        self.head = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.head(self.features(x))
'''

ALT_SHIFT = '''
def random_shift(x, max_shift=1, generator=None):
    B, C, H, W = x.shape
    dy = torch.randint(-max_shift, max_shift + 1, (B,), generator=generator)
    dx = torch.randint(-max_shift, max_shift + 1, (B,), generator=generator)
    rows = torch.arange(H, device=x.device).view(H, 1)
    cols = torch.arange(W, device=x.device).view(1, W)
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    out = torch.zeros_like(x)
    for sy in range(-max_shift, max_shift + 1):
        for sx in range(-max_shift, max_shift + 1):
            sel = ((dy == sy) & (dx == sx)).nonzero().flatten().to(x.device)
            if len(sel):
                inside = (rows - sy >= 0) & (rows - sy < H) & (cols - sx >= 0) & (cols - sx < W)
                out[sel] = torch.where(inside, torch.roll(x[sel], shifts=(sy, sx), dims=(2, 3)), zero)
    return out
'''

ALT_GROUPS = '''
def param_groups(model, weight_decay):
    trainable = [p for p in model.parameters() if p.requires_grad]
    return [{"params": [p for p in trainable if p.ndim >= 2], "weight_decay": weight_decay},
            {"params": [p for p in trainable if p.ndim < 2], "weight_decay": 0.0}]
'''

ALT_TRAIN = '''
from torch.utils.data import DataLoader, TensorDataset


def train_classifier(model, X, y, *, epochs, lr, weight_decay=1e-4, batch_size=32, seed=0, augment=None):
    torch.manual_seed(seed)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.AdamW(param_groups(model, weight_decay), lr=lr)
    history = []
    for _ in range(epochs):
        model.train()
        sums = []
        for xb, yb in loader:
            if augment is not None:
                xb = augment(xb)
            loss = F.nll_loss(F.log_softmax(model(xb), dim=1), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            sums.append(loss.detach() * len(yb))
        history.append(torch.stack(sums).sum().item() / len(X))
    model.eval()
    return history


def evaluate(model, X, y, batch_size=512):
    model.eval()
    with torch.inference_mode():
        predicted = model(X).argmax(dim=-1)
    return float((predicted == y).float().mean())
'''

ALT_FREEZE = '''
def freeze_backbone(model):
    for p in model.features.parameters():
        p.requires_grad_(False)
    model.features.eval()

    def back_to_eval(module, inputs):  # whatever model.train() did, the backbone runs in eval mode
        module.eval()

    model.features.register_forward_pre_hook(back_to_eval)
    return model
'''

ALT_HEAD = '''
def replace_head(model, num_classes):
    w = model.head.weight
    model.head = nn.Linear(model.head.in_features, num_classes, device=w.device, dtype=w.dtype)
    return model
'''

ALT_TRANSFER = '''
def make_transfer_model(pretrained, mode, num_classes):
    if mode not in ("linear_probe", "full", "scratch"):
        raise ValueError(mode)
    model = type(pretrained)(num_classes=num_classes).to(next(pretrained.parameters()).device)
    if mode != "scratch":
        model.features.load_state_dict(pretrained.features.state_dict())
    if mode == "linear_probe":
        freeze_backbone(model)
    return model
'''


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    """Another correct solution of every task: window counting, a strided CNN with global average pooling and no
    conv biases, roll-and-mask shifts, groups by tensor rank, a DataLoader loop, a forward pre-hook for the frozen
    backbone, a freshly constructed transfer model with load_state_dict."""
    graded = lab.grade("alternative", {
        "conv_output_size": ALT_CONV.lstrip("\n"),
        "small_cnn": ALT_CNN.lstrip("\n"),
        "random_shift": ALT_SHIFT.lstrip("\n"),
        "param_groups": ALT_GROUPS.lstrip("\n"),
        "train_classifier": ALT_TRAIN.lstrip("\n"),
        "freeze_backbone": ALT_FREEZE.lstrip("\n"),
        "replace_head": ALT_HEAD.lstrip("\n"),
        "make_transfer_model": ALT_TRANSFER.lstrip("\n"),
    })
    assert_full_marks(lab, graded)
