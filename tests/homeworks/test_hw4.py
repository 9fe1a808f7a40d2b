"""Homework 4 (transformers from scratch): the reference earns full marks, the release earns nothing, each trap
loses exactly the test written for it, and a differently written correct solution earns full marks."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost

from grader.authoring import Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw4", tmp_path_factory.mktemp("hw4"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    assert_full_marks(lab, lab.reference())


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


# --- traps ----------------------------------------------------------------------------------------------------

def test_encoder_without_batch_first_mixes_samples(lab: AssignmentLab) -> None:
    """nn.TransformerEncoderLayer built without batch_first=True and fed (B, L, D): attention runs over the
    batch, no error is raised; the batch-independence check of test_torch_encoder catches it."""
    graded = lab.grade("no_batch_first", {"torch_encoder": Replace(", batch_first=True", "")})
    assert_only_lost(lab, graded, {"test_torch_encoder"})


def test_attention_maps_appended_on_every_call(lab: AssignmentLab) -> None:
    """The classifier appends each call's maps to one list that is never reset: the list (and memory) grows
    with every forward call."""
    graded = lab.grade("maps_accumulate", {"classifier": Replace(
        "            maps.append(weights.detach())\n        self.attention_maps = maps\n",
        "            self.attention_maps.append(weights.detach())\n")})
    assert_only_lost(lab, graded, {"test_attention_maps"})


def test_mean_pool_over_padding_loses_the_classifier_test(lab: AssignmentLab) -> None:
    """A plausible mistake: pooling over all positions, PAD included (the logits then depend on padding)."""
    graded = lab.grade("mean_over_pad", {"classifier": Replace(
        "pooled = (self.norm(x) * keep).sum(dim=1) / keep.sum(dim=1)", "pooled = self.norm(x).mean(dim=1)")})
    assert_only_lost(lab, graded, {"test_classifier"})


def test_training_that_ignores_its_seed_loses_the_accuracy_test(lab: AssignmentLab) -> None:
    """Mistake: train_classifier never seeds torch, so its result depends on the global RNG state, not on
    `seed` ("deterministic for a given seed" in the contract); the visible test seeds globally and passes."""
    graded = lab.grade("unseeded_training", {"train": Replace(
        "    torch.manual_seed(seed)\n    model = LanguageClassifier", "    model = LanguageClassifier")})
    assert_only_lost(lab, graded, {"test_accuracy"})


ALWAYS_EQUAL_POSITIONS = '''
class _AlwaysEqual:
    shape = dtype = None

    def __eq__(self, other):
        return True

    def __getattr__(self, name):
        return lambda *args, **kwargs: self


def sinusoidal_positional_encoding(max_len, d_model):
    return _AlwaysEqual()


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=512):
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float32)[:, None]
        inv_freq = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * inv_freq)
        pe[:, 1::2] = torch.cos(position * inv_freq)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.shape[1]]
'''


def test_always_equal_object_loses_points(lab: AssignmentLab) -> None:
    """A function returning an object that equals everything must not pass its test."""
    graded = lab.grade("always_equal", {"positional": ALWAYS_EQUAL_POSITIONS})
    assert_only_lost(lab, graded, {"test_positional_encoding"})


# --- a correct solution written differently -------------------------------------------------------------------

ALTERNATIVE = {
    "sdpa": '''
def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    scores = torch.einsum("...qd,...kd->...qk", q * q.shape[-1] ** -0.5, k)
    keep = torch.ones(scores.shape[-2:], dtype=torch.bool, device=q.device)
    if is_causal:
        keep = torch.tril(keep)
    if attn_mask is not None:
        keep = torch.logical_and(keep, attn_mask)
    scores = torch.where(keep, scores, torch.finfo(scores.dtype).min)
    scores = scores - scores.amax(dim=-1, keepdim=True)
    expd = torch.exp(scores) * keep
    weights = expd / expd.sum(dim=-1, keepdim=True)
    return torch.einsum("...qk,...kv->...qv", weights, v), weights
''',
    "mha": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        assert d_model % n_heads == 0
        self.heads = n_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, query, key, value, key_padding_mask=None, is_causal=False):
        def heads(x):
            return x.unflatten(-1, (self.heads, -1)).permute(0, 2, 1, 3)

        q, k, v = heads(self.q_proj(query)), heads(self.k_proj(key)), heads(self.v_proj(value))
        mask = None
        if key_padding_mask is not None:
            mask = key_padding_mask.logical_not().unsqueeze(1).unsqueeze(2)
        out, weights = scaled_dot_product_attention(q, k, v, mask, is_causal)
        return self.out_proj(out.permute(0, 2, 1, 3).flatten(2)), weights
''',
    "positional": '''
def sinusoidal_positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float64)
    inv_freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    angle = torch.outer(position, inv_freq)
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1).float()


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=512):
        super().__init__()
        self.register_buffer("table", sinusoidal_positional_encoding(max_len, d_model).unsqueeze(0))

    def forward(self, x):
        return x + self.table[:, : x.size(1), :]
''',
    "encoder_block": '''
class EncoderBlock(nn.Module):
    """Post-norm, ReLU, functional dropout."""

    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.lin1, self.lin2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.ln_a, self.ln_b = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.p = dropout

    def forward(self, x, key_padding_mask=None, is_causal=False):
        a, weights = self.self_attn(x, x, x, key_padding_mask=key_padding_mask, is_causal=is_causal)
        x = self.ln_a(x + F.dropout(a, self.p, self.training))
        f = self.lin2(F.dropout(F.relu(self.lin1(x)), self.p, self.training))
        return self.ln_b(x + F.dropout(f, self.p, self.training)), weights
''',
    "torch_encoder": '''
class SeqFirstEncoder(nn.Module):
    """Sequence-first layers (batch_first=False) behind a batch-first interface: correct, the data is transposed."""

    def __init__(self, d_model, n_heads, d_ff, n_layers, dropout):
        super().__init__()
        self.layers = nn.ModuleList(nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout)
                                    for _ in range(n_layers))

    def forward(self, x, src_key_padding_mask=None):
        h = x.transpose(0, 1)
        for layer in self.layers:
            h = layer(h, src_key_padding_mask=src_key_padding_mask)
        return h.transpose(0, 1)


def build_torch_encoder(d_model, n_heads, d_ff, n_layers, dropout=0.1):
    return SeqFirstEncoder(d_model, n_heads, d_ff, n_layers, dropout)
''',
    "classifier": '''
class LanguageClassifier(nn.Module):
    """Max pooling over real characters; maps collected, then detached as a new list."""

    def __init__(self, vocab_size, n_classes, d_model=64, n_heads=4, n_layers=2, d_ff=128, max_len=32,
                 dropout=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.posenc = PositionalEncoding(d_model, max_len)
        self.layers = nn.ModuleList(EncoderBlock(d_model, n_heads, d_ff, dropout) for _ in range(n_layers))
        self.out = nn.Linear(d_model, n_classes)
        self.attention_maps = []

    def forward(self, ids):
        is_pad = ids.eq(PAD)
        h = self.posenc(self.tok(ids))
        collected = []
        for layer in self.layers:
            h, weights = layer(h, is_pad)
            collected.append(weights)
        self.attention_maps = [w.detach() for w in collected]
        pooled = h.masked_fill(is_pad.unsqueeze(-1), float("-inf")).amax(dim=1)
        return self.out(pooled)
''',
    "train": '''
def train_classifier(X_train, y_train, vocab_size, n_classes, seed=0, device="cpu"):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = LanguageClassifier(vocab_size, n_classes, d_model=48, n_heads=4, n_layers=2, d_ff=96,
                               max_len=X_train.size(1)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_train, y_train), batch_size=100,
                                         shuffle=True, generator=generator)
    for _ in range(4):
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = F.nll_loss(F.log_softmax(model(xb), dim=-1), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model
''',
}


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    assert_full_marks(lab, lab.grade("alternative", ALTERNATIVE))
