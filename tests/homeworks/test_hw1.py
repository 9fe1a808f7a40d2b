"""hw1 (augmentations, Dataset, DataLoader): the hidden tests accept the reference and a differently written
correct solution, and each known mistake loses exactly the points of the test aimed at it."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost, gpu_cells

from grader.authoring import Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw1", tmp_path_factory.mktemp("hw1"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    graded = lab.reference()
    assert_full_marks(lab, graded)
    assert graded.score("conclusions") is None  # graded by hand, pending
    assert graded.seconds < 120, f"the reference took {graded.seconds:.0f} s to autograde"


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


def test_gpu_checks_live_in_their_own_cell(lab: AssignmentLab) -> None:
    assert gpu_cells(lab) == {"test_gpu"}


def test_cutout_editing_its_input_in_place_loses_the_random_transforms_test(lab: AssignmentLab) -> None:
    graded = lab.grade("inplace_cutout", {"random_transforms": Replace(
        "out = x.clone()\n        out[..., i:i + s, j:j + s] = self.fill\n        return out",
        "x[..., i:i + s, j:j + s] = self.fill\n        return x")})
    assert_only_lost(lab, graded, {"test_random_transforms"})


def test_random_apply_with_inverted_probability_loses_its_test(lab: AssignmentLab) -> None:
    # p read as the probability of NOT applying the transform
    graded = lab.grade("inverted_p", {"compose": Replace(
        "if u < self.p:\n            return self.transform(x, generator=generator)\n        return x",
        "if u < self.p:\n            return x\n        return self.transform(x, generator=generator)")})
    assert_only_lost(lab, graded, {"test_random_apply"})


def test_affine_matrix_on_the_default_dtype_and_device_loses_the_device_test(lab: AssignmentLab) -> None:
    # theta created as a CPU float32 tensor: fine for CPU float32 input, wrong for float64 (and for CUDA)
    graded = lab.grade("theta_default_device", {"affine": Replace(
        "]], dtype=x.dtype, device=x.device) / scale", "]]) / scale")})
    assert_only_lost(lab, graded, {"test_dtype_device"})



def test_noise_drawn_in_the_input_dtype_keeps_full_marks(lab: AssignmentLab) -> None:
    # the notebook asks for helper tensors in x.dtype: a float64 draw differs from a float32 draw of the same
    # seed, and that is correct work (the tests compare random transforms only within one dtype)
    graded = lab.grade("noise_in_x_dtype", {"random_transforms": Replace(
        "noise = torch.randn(x.shape, generator=generator).to(device=x.device, dtype=x.dtype)",
        "noise = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)")})
    assert_full_marks(lab, graded)


def test_validation_size_truncated_instead_of_rounded_loses_the_data_test(lab: AssignmentLab) -> None:
    # int(n * f) where the contract says round(n * f): 99 * 0.3 = 29.7 gives 29 validation indices, not 30
    graded = lab.grade("truncated_split", {"data": Replace(
        "n_val = int(round(n * val_fraction))", "n_val = int(n * val_fraction)")})
    assert_only_lost(lab, graded, {"test_data"})

ALWAYS_EQUAL_BLUR = '''
class AlwaysEqual:
    """Pretends to be any tensor: compares equal to everything and copies the input's metadata."""

    def __init__(self, like):
        self.shape, self.dtype, self.device = like.shape, like.dtype, like.device

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __ge__(self, other):
        return True

    def __le__(self, other):
        return True

    __hash__ = object.__hash__


def gaussian_kernel1d(sigma, radius, dtype=torch.float32, device=None):
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float64)
    kernel = torch.exp(-offsets ** 2 / (2.0 * sigma ** 2))
    return (kernel / kernel.sum()).to(dtype=dtype, device=device)


def gaussian_blur(x, sigma, radius=None):
    return AlwaysEqual(x)
'''


def test_always_equal_object_loses_the_blur_tests(lab: AssignmentLab) -> None:
    graded = lab.grade("always_equal", {"blur": ALWAYS_EQUAL_BLUR})
    assert_only_lost(lab, graded, {"test_blur", "test_dtype_device"})


# A correct solution written differently: index_select / transposes, an explicit sampling grid instead of
# affine_grid, one grouped 2-D convolution, masks instead of slicing, other random draws, numpy's
# permutation, Subset and an explicit sampler.
ALTERNATIVE = {
    "flips": '''
def hflip(x):
    reverse = torch.arange(x.shape[-1] - 1, -1, -1, device=x.device)
    return x.index_select(-1, reverse)


def vflip(x):
    return hflip(x.transpose(-1, -2)).transpose(-1, -2).contiguous()
''',
    "affine": '''
def affine(x, angle=0.0, translate=(0.0, 0.0), scale=1.0):
    single = x.dim() == 3
    batch = x.unsqueeze(0) if single else x
    b, _, n, _ = batch.shape
    centres = (2 * torch.arange(n, dtype=x.dtype, device=x.device) + 1) / n - 1
    yy, xx = torch.meshgrid(centres, centres, indexing="ij")
    qx, qy = xx - 2 * translate[0] / n, yy - 2 * translate[1] / n
    rad = angle * math.pi / 180
    px = (math.cos(rad) * qx - math.sin(rad) * qy) / scale
    py = (math.sin(rad) * qx + math.cos(rad) * qy) / scale
    grid = torch.stack((px, py), dim=-1).expand(b, n, n, 2)
    out = F.grid_sample(batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out[0] if single else out


def rotate(x, angle):
    return affine(x, angle, (0.0, 0.0), 1.0)
''',
    "blur": '''
def gaussian_kernel1d(sigma, radius, dtype=torch.float32, device=None):
    xs = torch.linspace(-radius, radius, 2 * radius + 1, dtype=dtype, device=device)
    k = torch.exp(-0.5 * (xs / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(x, sigma, radius=None):
    h, w = x.shape[-2:]
    if radius is None:
        radius = min(int(math.ceil(3 * sigma)), h - 1, w - 1)
    k = gaussian_kernel1d(sigma, radius, dtype=x.dtype, device=x.device)
    planes = x.reshape(1, -1, h, w)
    m = planes.shape[1]
    planes = F.pad(planes, [radius] * 4, mode="reflect")
    out = F.conv2d(planes, torch.outer(k, k).expand(m, 1, -1, -1), groups=m)
    return out.reshape(x.shape)
''',
    "random_transforms": '''
def _uniform_int(high, generator):
    return min(int(float(torch.rand(1, generator=generator)) * high), high - 1)


class RandomCrop:
    def __init__(self, size, padding=0):
        self.size, self.padding = size, padding

    def __call__(self, x, generator=None):
        p, s = self.padding, self.size
        h, w = x.shape[-2:]
        canvas = x.new_zeros(*x.shape[:-2], h + 2 * p, w + 2 * p)
        canvas[..., p:p + h, p:p + w] = x
        i = _uniform_int(h + 2 * p - s + 1, generator)
        j = _uniform_int(w + 2 * p - s + 1, generator)
        return canvas[..., i:i + s, j:j + s]


class GaussianNoise:
    def __init__(self, std):
        self.std = std

    def __call__(self, x, generator=None):
        eps = torch.empty(x.shape).normal_(generator=generator)
        return torch.clamp(x + self.std * eps.to(x), min=0.0, max=1.0)


class Cutout:
    def __init__(self, size, fill=0.0):
        self.size, self.fill = size, fill

    def __call__(self, x, generator=None):
        h, w = x.shape[-2:]
        s = self.size
        top, left = _uniform_int(h - s + 1, generator), _uniform_int(w - s + 1, generator)
        rows = torch.arange(h, device=x.device)
        cols = torch.arange(w, device=x.device)
        mask = ((rows >= top) & (rows < top + s))[:, None] & ((cols >= left) & (cols < left + s))[None, :]
        return torch.where(mask, torch.full_like(x, self.fill), x)
''',
    "compose": '''
import functools


class RandomApply:
    def __init__(self, transform, p=0.5):
        self.transform, self.p = transform, p

    def __call__(self, x, generator=None):
        skip = torch.rand(1, generator=generator).item() >= self.p
        return x if skip else self.transform(x, generator=generator)


class Compose:
    def __init__(self, transforms):
        self.transforms = tuple(transforms)

    def __call__(self, x, generator=None):
        return functools.reduce(lambda acc, t: t(acc, generator=generator), self.transforms, x)
''',
    "data": '''
from torch.utils.data import RandomSampler, SequentialSampler, Subset


def to_image_tensor(X):
    arr = np.array(X, dtype=np.float32) / 16.0
    return torch.from_numpy(arr).view(len(arr), 1, 8, 8)


class DigitsDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        self.data = (images, labels)
        self.transform = transform

    def __len__(self):
        return self.data[1].shape[0]

    def __getitem__(self, index):
        image = self.data[0][index]
        return (image if self.transform is None else self.transform(image)), self.data[1][index].item()


def split_indices(n, val_fraction=0.2, seed=0):
    perm = torch.from_numpy(np.random.default_rng(seed).permutation(n)).long()
    n_val = round(n * val_fraction)
    return perm[n_val:].sort().values, perm[:n_val].sort().values


def make_loaders(images, labels, val_fraction=0.2, batch_size=64, seed=0, train_transform=None):
    train_idx, val_idx = split_indices(len(images), val_fraction, seed)
    train_set = Subset(DigitsDataset(images, labels, train_transform), train_idx.tolist())
    val_set = Subset(DigitsDataset(images, labels), val_idx.tolist())
    return (DataLoader(train_set, batch_size=batch_size, sampler=RandomSampler(train_set)),
            DataLoader(val_set, batch_size=batch_size, sampler=SequentialSampler(val_set)))
''',
}


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    graded = lab.grade("alternative", ALTERNATIVE)
    assert_full_marks(lab, graded)
