#!/usr/bin/env python3
"""Makes the reference images glint's tests compare against, with independent implementations:
Pillow (resize), libvips (mitchell reduce), OpenCV (blur, box blur, sharpen, median, Sobel,
filter2D, equalizeHist, CLAHE), and a float64 numpy resampler for linear-light resizing.

Run from the repository root, with the peers' virtual environment:
    VENV=$(../shared/peers/setup.sh | tail -1)
    $VENV/bin/python tests/refs/make_refs.py ../shared/testdata

It rewrites tests/fixtures/{flower,hopper,flower_rgba}.png, tests/fixtures/decode/hopper{.tif,_p3.png,_p3_16.png}
and tests/fixtures/refs/*.png.
The inputs are written as PNG (decoded once, here) so the tests read exactly the pixels the
references were made from, whatever JPEG decoder glint uses.
"""
import os
import sys

import cv2
import numpy as np
import pyvips
from PIL import Image

FIX = "tests/fixtures"
REFS = os.path.join(FIX, "refs")


def save(arr, name, folder=REFS):
    mode = "RGBA" if arr.shape[2] == 4 else "RGB"
    Image.fromarray(np.ascontiguousarray(arr), mode).save(os.path.join(folder, name), optimize=True)


def load(name):
    return np.asarray(Image.open(os.path.join(FIX, name)))


# ------------------------------------------------------------------ inputs
def make_inputs(testdata):
    flower = Image.open(os.path.join(testdata, "photos/pillow_flower.jpg")).convert("RGB")
    # A 256x192 piece with petals, leaves and a soft background.
    flower = flower.crop((112, 84, 368, 276))
    flower.save(os.path.join(FIX, "flower.png"), optimize=True)
    hopper = Image.open(os.path.join(testdata, "photos/pillow_hopper.jpg")).convert("RGB")
    hopper.save(os.path.join(FIX, "hopper.png"), optimize=True)
    # The flower with an alpha ramp (64..255 left to right) for premultiplied resampling.
    rgba = np.dstack([np.asarray(flower), np.tile(np.linspace(64, 255, 256).round().astype(np.uint8), (192, 1))])
    save(rgba, "flower_rgba.png", FIX)
    # Hopper converted to Display P3 with the profile embedded, 8- and 16-bit: decoding must
    # bring it back to hopper's sRGB pixels.
    vh = pyvips.Image.new_from_file(os.path.join(FIX, "hopper.png"))
    p3 = vh.icc_transform("p3", input_profile="srgb")
    p3.write_to_file(os.path.join(FIX, "decode", "hopper_p3.png"))
    vh.icc_transform("p3", input_profile="srgb", depth=16).write_to_file(os.path.join(FIX, "decode", "hopper_p3_16.png"))
    # Hopper as a deflate-compressed TIFF, for the TIFF decoder.
    hopper.save(os.path.join(FIX, "decode", "hopper.tif"), compression="tiff_deflate")


# ------------------------------------------------------------------ resize
PIL_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos3": Image.Resampling.LANCZOS,
}
DOWN = (101, 77)   # flower 256x192 -> odd, non-integer factors
UP = (203, 171)    # hopper 128x128 -> non-uniform enlargement


def pillow_resizes():
    flower, hopper = Image.open(os.path.join(FIX, "flower.png")), Image.open(os.path.join(FIX, "hopper.png"))
    for name, flt in PIL_FILTERS.items():
        save(np.asarray(flower.resize(DOWN, flt)), f"resize_{name}_down.png")
        save(np.asarray(hopper.resize(UP, flt)), f"resize_{name}_up.png")
    rgba = Image.open(os.path.join(FIX, "flower_rgba.png"))
    save(np.asarray(rgba.resize(DOWN, Image.Resampling.LANCZOS)), "resize_lanczos3_rgba_down.png")


def vips_mitchell():
    im = pyvips.Image.new_from_file(os.path.join(FIX, "flower.png"))
    out = im.reduce(256 / DOWN[0], 192 / DOWN[1], kernel="mitchell")
    assert (out.width, out.height) == DOWN, (out.width, out.height)
    save(np.ndarray(buffer=out.write_to_memory(), dtype=np.uint8, shape=[out.height, out.width, out.bands]),
         "resize_mitchell_down.png")


def kernel(name, x):
    x = np.abs(x)
    if name == "lanczos3":
        return np.where(x < 3, np.sinc(x) * np.sinc(x / 3), 0.0)
    if name == "bicubic":
        a = -0.5
        return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                        np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))
    if name == "bilinear":
        return np.maximum(1 - x, 0.0)
    raise ValueError(name)


SUPPORT = {"lanczos3": 3.0, "bicubic": 2.0, "bilinear": 1.0}


def weights(n_in, n_out, name):
    """Dense n_out x n_in matrix: Pillow's convolution scheme, in float64."""
    scale = n_in / n_out
    fs = max(scale, 1.0)
    reach = SUPPORT[name] * fs
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        c = (i + 0.5) * scale
        lo = max(int(np.floor(c - reach + 0.5)), 0)
        hi = min(int(np.floor(c + reach + 0.5)), n_in)
        xs = np.arange(lo, hi)
        w = kernel(name, (xs - c + 0.5) / fs)
        m[i, lo:hi] = w / w.sum()
    return m


def srgb_to_linear(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(l):
    l = np.clip(l, 0, 1)
    return np.where(l <= 0.0031308, l * 12.92, 1.055 * l ** (1 / 2.4) - 0.055)


def float_linear_resize(src, size, name):
    lin = srgb_to_linear(src.astype(np.float64) / 255)
    wy, wx = weights(src.shape[0], size[1], name), weights(src.shape[1], size[0], name)
    out = np.einsum("yi,ijc->yjc", wy, np.einsum("xj,ijc->ixc", wx, lin))
    return np.rint(linear_to_srgb(out) * 255).astype(np.uint8)


def linear_resizes():
    flower, hopper = load("flower.png"), load("hopper.png")
    for name in ("lanczos3", "bicubic", "bilinear"):
        save(float_linear_resize(flower, DOWN, name), f"resize_{name}_linear_down.png")
        save(float_linear_resize(hopper, UP, name), f"resize_{name}_linear_up.png")


# ------------------------------------------------------------------ filters (OpenCV)
R = cv2.BORDER_REPLICATE
CONVOLVE = {
    # name: (weights, divisor, bias)
    "sharpen3": ([0, -1, 0, -1, 5, -1, 0, -1, 0], 1, 0),
    "binomial5": (list(np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]).ravel()), 256, 0),
    "asym3": ([1, 2, 0, 0, 0, 0, 0, 0, -1], 2, 0),
    "emboss": ([-1, -1, 0, -1, 0, 1, 0, 1, 1], 1, 128),
}


def filters():
    img = load("flower.png")
    for sigma in (0.8, 2, 5):
        save(cv2.GaussianBlur(img, (0, 0), sigma, borderType=R), f"blur_{sigma}.png")
    for r in (2, 10):
        save(cv2.blur(img, (2 * r + 1, 2 * r + 1), borderType=R), f"boxblur_{r}.png")
    for sigma, amount in ((1.5, 1.0), (3, 0.5)):
        blur = cv2.GaussianBlur(img, (0, 0), sigma, borderType=R)
        save(cv2.addWeighted(img, 1 + amount, blur, -amount, 0), f"sharpen_{sigma}_{amount}.png")
    for r in (1, 3, 7):
        save(cv2.medianBlur(img, 2 * r + 1), f"median_{r}.png")
    gx = cv2.Sobel(img.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3, borderType=R)
    gy = cv2.Sobel(img.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3, borderType=R)
    save(np.clip(np.rint(np.sqrt(gx * gx + gy * gy)), 0, 255).astype(np.uint8), "edges.png")
    for name, (w, divisor, bias) in CONVOLVE.items():
        n = int(round(len(w) ** 0.5))
        k = np.array(w, dtype=np.float32).reshape(n, n) / divisor
        save(cv2.filter2D(img, -1, k, delta=bias, borderType=R), f"convolve_{name}.png")


def luma_ops():
    img = load("flower.png")
    ycc = cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb)
    eq = ycc.copy()
    eq[:, :, 0] = cv2.equalizeHist(ycc[:, :, 0])
    save(cv2.cvtColor(eq, cv2.COLOR_YCrCb2RGB), "equalize.png")
    for tiles, clip in ((8, 2.0), (4, 3.0)):
        cl = ycc.copy()
        cl[:, :, 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles, tiles)).apply(ycc[:, :, 0])
        save(cv2.cvtColor(cl, cv2.COLOR_YCrCb2RGB), f"clahe_{tiles}_{clip}.png")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(REFS, exist_ok=True)
    make_inputs(sys.argv[1])
    pillow_resizes()
    vips_mitchell()
    linear_resizes()
    filters()
    luma_ops()
    print(f"pyvips {pyvips.version(0)}.{pyvips.version(1)}, OpenCV {cv2.__version__}, "
          f"Pillow {Image.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
