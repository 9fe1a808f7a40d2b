"""hw7 (multimodal fusion, contrastive learning, zero-shot): the reference gets full marks, the release scores
zero, each trap loses exactly its tests, and a correct solution written differently passes."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost

from grader.authoring import Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw7", tmp_path_factory.mktemp("hw7"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    graded = lab.reference()
    assert_full_marks(lab, graded)
    assert graded.score("conclusions") is None  # graded by hand
    assert graded.seconds < 60, f"reference notebook took {graded.seconds:.1f} s"


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


def _gated_fusion_not_a_module(code: str) -> str:
    """The reference fusion cell with GatedFusion turned into a plain class that is called like a module."""
    head, rest = code.split("class GatedFusion(nn.Module):\n")
    gated, tail = rest.split("class AttentionFusion(nn.Module):\n")
    gated = gated.replace("        super().__init__()\n", "").replace("    def forward(", "    def __call__(")
    return head + "class GatedFusion:\n" + gated + "class AttentionFusion(nn.Module):\n" + tail


def test_fusion_that_is_not_a_module_is_caught(lab: AssignmentLab) -> None:
    """Trap: a fusion 'module' that is a plain Python class holding nn.Linear layers. It runs and has the
    right shapes, but its weights are not in model.parameters(), so they never train (nor move with .to())."""
    graded = lab.grade("fusion_not_module", {"fusion": _gated_fusion_not_a_module})
    assert_only_lost(lab, graded, {"test_fusion_params"})


def test_one_sided_info_nce_is_caught(lab: AssignmentLab) -> None:
    """Plausible mistake: only the image->text cross-entropy. CLIP still trains (retrieval, zero-shot and
    matching keep passing), but the loss is not the symmetric InfoNCE."""
    graded = lab.grade("one_sided_info_nce", {"info_nce": Replace(
        "    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2\n",
        "    return F.cross_entropy(logits, targets)\n",
    )})
    assert_only_lost(lab, graded, {"test_info_nce"})


def test_unclamped_temperature_is_caught(lab: AssignmentLab) -> None:
    """Trap: a learnable logit scale without a clamp (can run away and overflow fp16 logits)."""
    graded = lab.grade("no_clamp", {"clip_model": Replace(
        "        return self.logit_scale.exp().clamp(1.0, self.max_scale)\n",
        "        return self.logit_scale.exp()\n",
    )})
    assert_only_lost(lab, graded, {"test_clip_model"})


ALWAYS_EQUAL_PREDICTIONS = '''
    class Agreeable(torch.Tensor):
        """Predictions that agree with any labels."""

        def __eq__(self, other):
            return torch.ones(len(self), dtype=torch.bool)

    return torch.zeros(len(images), dtype=torch.long).as_subclass(Agreeable)
'''


def test_always_equal_predictions_lose_points(lab: AssignmentLab) -> None:
    """Predictions whose comparisons are always true must not pass for zero-shot classification."""
    graded = lab.grade("always_equal", {"zero_shot": lambda code: code.split("    model.eval()\n")[0]
                                        + ALWAYS_EQUAL_PREDICTIONS.lstrip("\n")})
    assert_only_lost(lab, graded, {"test_zero_shot"})



def test_class_embeddings_not_renormalized_lose_the_zero_shot_test(lab: AssignmentLab) -> None:
    """Mistake: the mean of a class's prompt embeddings is used as is, without the L2 re-normalization the
    contract asks for (classes whose prompts disagree get short vectors). Accuracy thresholds cannot see it;
    a stub model with known embeddings can."""
    graded = lab.grade("zero_shot_not_renormalized", {"zero_shot": Replace(
        "class_emb.append(F.normalize(model.encode_text(prompt_ids).mean(dim=0), dim=-1))",
        "class_emb.append(model.encode_text(prompt_ids).mean(dim=0))")})
    assert_only_lost(lab, graded, {"test_zero_shot"})

ALT_ENCODERS = '''
class ImageEncoder(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 24, 5, padding=2)
        self.conv2 = nn.Conv2d(24, 48, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(48, 48, 3, stride=2, padding=1)
        self.out = nn.Linear(96, dim)

    def forward(self, images):
        h = F.gelu(self.conv3(F.gelu(self.conv2(F.gelu(self.conv1(images))))))
        return self.out(torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], dim=1))


class TextEncoder(nn.Module):
    def __init__(self, vocab_size: int, dim: int, pad_id: int = PAD_ID):
        super().__init__()
        self.pad_id = pad_id
        self.bag = nn.EmbeddingBag(vocab_size, dim, mode="sum", padding_idx=pad_id)
        self.proj = nn.Sequential(nn.Tanh(), nn.Linear(dim, dim))

    def forward(self, ids):
        counts = (ids != self.pad_id).sum(dim=1, keepdim=True).clamp(min=1)
        return self.proj(self.bag(ids) / counts)
'''

ALT_INFO_NCE = '''
def info_nce_loss(image_emb, text_emb, temperature):
    sim = torch.matmul(image_emb, text_emb.transpose(0, 1)) / temperature
    image_to_text = -torch.log_softmax(sim, dim=1).diagonal().mean()
    text_to_image = -torch.log_softmax(sim, dim=0).diagonal().mean()
    return 0.5 * (image_to_text + text_to_image)
'''

ALT_CLIP_MODEL = '''
class CLIPModel(nn.Module):
    def __init__(self, vocab_size, dim, init_temperature=0.07, max_scale=100.0):
        super().__init__()
        self.image_encoder = ImageEncoder(dim)
        self.text_encoder = TextEncoder(vocab_size, dim)
        self.image_proj = nn.Linear(dim, dim, bias=False)
        self.text_proj = nn.Linear(dim, dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(-math.log(init_temperature)))
        self.log_max = math.log(max_scale)

    @staticmethod
    def _unit(x):
        return x / x.norm(dim=1, keepdim=True).clamp_min(1e-8)

    def encode_image(self, images):
        return self._unit(self.image_proj(self.image_encoder(images)))

    def encode_text(self, ids):
        return self._unit(self.text_proj(self.text_encoder(ids)))

    def scale(self):
        return torch.exp(torch.clamp(self.logit_scale, min=0.0, max=self.log_max))

    def forward(self, images, ids):
        return torch.einsum("id,jd->ij", self.encode_image(images), self.encode_text(ids)) * self.scale()
'''

ALT_TRAIN_CLIP = '''
def train_clip(model, images, ids, *, epochs, lr, batch_size, seed):
    torch.manual_seed(seed)
    device = model.logit_scale.device
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, ids), batch_size=batch_size,
                                         shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    history = []
    for _ in range(epochs):
        model.train()
        losses, sizes = [], []
        for x, t in loader:
            loss = info_nce_loss(model.encode_image(x.to(device)), model.encode_text(t.to(device)),
                                 model.scale().reciprocal())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            sizes.append(len(x))
        history.append(sum(v * n for v, n in zip(losses, sizes)) / sum(sizes))
    model.eval()
    return history
'''

ALT_ZERO_SHOT = '''
def zero_shot_classify(model, images, class_names, templates, vocab):
    was_training = model.training
    model.eval()
    device = model.logit_scale.device
    prompts = [template.format(name) for name in class_names for template in templates]
    with torch.no_grad():
        text = model.encode_text(tokenize(prompts, vocab).to(device))
        text = text.view(len(class_names), len(templates), -1).mean(dim=1)
        text = text / text.norm(dim=-1, keepdim=True)
        scores = torch.cat([model.encode_image(chunk.to(device)) for chunk in images.split(256)]) @ text.T
    model.train(was_training)
    return scores.max(dim=1).indices.to(images.device)
'''

ALT_FUSION = '''
class ConcatFusion(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.from_image = nn.Linear(dim, dim)
        self.from_text = nn.Linear(dim, dim, bias=False)

    def forward(self, image_feat, text_feat):
        return F.relu(self.from_image(image_feat) + self.from_text(text_feat))


class GatedFusion(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.image_side = nn.Linear(dim, 2 * dim)
        self.text_side = nn.Linear(dim, 2 * dim, bias=False)

    def forward(self, image_feat, text_feat):
        h_img, z_img = self.image_side(image_feat).chunk(2, dim=-1)
        h_txt, z_txt = self.text_side(text_feat).chunk(2, dim=-1)
        return torch.lerp(torch.tanh(h_txt), torch.tanh(h_img), torch.sigmoid(z_img + z_txt))


class AttentionFusion(nn.Module):
    def __init__(self, dim, num_heads=4):
        super().__init__()
        assert dim % num_heads == 0
        self.heads = num_heads
        self.kind = nn.Embedding(2, dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, image_feat, text_feat):
        x = torch.stack([image_feat, text_feat], dim=1) + self.kind.weight
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        mixed = (weights @ v).transpose(1, 2).reshape(b, t, d)
        return self.norm(x + self.out(mixed)).amax(dim=1)
'''

ALT_MATCHING = '''
class MatchingModel(nn.Module):
    def __init__(self, clip, fusion, dim):
        super().__init__()
        self.clip = clip
        self.fusion = fusion
        self.head = nn.Sequential(nn.Linear(dim, 128), nn.GELU(), nn.Linear(128, 1))

    def forward(self, images, ids, drop=None):
        if drop not in (None, "image", "text"):
            raise ValueError(drop)
        image_feat = self.clip.encode_image(images).detach()
        text_feat = self.clip.encode_text(ids).detach()
        if drop == "image":
            image_feat = image_feat.new_zeros(image_feat.shape)
        if drop == "text":
            text_feat = text_feat.new_zeros(text_feat.shape)
        return self.head(self.fusion(image_feat, text_feat))[:, 0]


def train_matching(model, images, ids, labels, *, epochs, lr, batch_size, seed):
    torch.manual_seed(seed)
    device = next(model.head.parameters()).device
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, ids, labels),
                                         batch_size=batch_size, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    criterion = nn.BCEWithLogitsLoss()
    history = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for x, t, y in loader:
            loss = criterion(model(x.to(device), t.to(device)), y.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        history.append(total / len(labels))
    model.eval()
    return history


def matching_accuracy(model, images, ids, labels, drop=None):
    model.eval()
    device = next(model.head.parameters()).device
    correct = 0
    with torch.no_grad():
        for x, t, y in zip(images.split(256), ids.split(256), labels.split(256)):
            predicted = torch.sigmoid(model(x.to(device), t.to(device), drop=drop)) > 0.5
            correct += (predicted.cpu() == y.bool()).sum().item()
    return correct / len(labels)
'''


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    """Other architectures (strided convs, EmbeddingBag, projection heads), another loss formula (log_softmax
    diagonals), a DataLoader and AdamW, batched prompt encoding, hand-written attention and max pooling: every
    cell written differently, still full marks."""
    graded = lab.grade("alternative", {
        "encoders": ALT_ENCODERS, "info_nce": ALT_INFO_NCE, "clip_model": ALT_CLIP_MODEL,
        "train_clip": ALT_TRAIN_CLIP, "zero_shot": ALT_ZERO_SHOT, "fusion": ALT_FUSION,
        "matching": ALT_MATCHING,
    })
    assert_full_marks(lab, graded)
