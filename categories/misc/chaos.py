"""Chaos game over an iterated function system built from three B-splines.

Each map of the system folds the unit square onto a band of width THICKNESS
around one cubic B-spline; a point is sent through randomly chosen maps
(weighted by curve length) 5,000 times and every visited position is plotted
on a 256x256 image. The float work sits in small vector objects and de Boor
evaluation. Seed 1234; the image is checked by its pixel count and digest.
"""
import hashlib
import math
import random

SEED = 1234
ITERATIONS = 5000
WIDTH = HEIGHT = 256
THICKNESS = 0.25
# Step used to estimate the curve tangent, as a fraction of the domain.
TANGENT_STEP = 1e-4

EXPECTED_PIXELS = 692
EXPECTED_SHA1 = "1f5c4cb55f6a07edcdac9efb8ca64dba30425e88"

# Control points of three open cubic curves (a hook, an arc and a wave).
CURVES = (
    ((0.4, 2.6), (0.3, 3.6), (0.9, 4.5), (1.9, 4.6),
     (2.6, 4.0), (2.2, 3.2), (1.4, 3.1)),
    ((1.1, 0.7), (1.8, 0.2), (2.9, 0.6), (3.2, 1.6), (2.7, 2.4)),
    ((3.0, 3.0), (3.5, 3.9), (4.1, 2.1), (4.7, 3.3), (5.2, 2.5),
     (5.6, 3.4)),
)


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def __sub__(self, other):
        return Vec(self.x - other.x, self.y - other.y)

    def __mul__(self, factor):
        return Vec(self.x * factor, self.y * factor)

    def blend(self, other, weight):
        """The point a fraction `weight` of the way from self to other."""
        return Vec(self.x + (other.x - self.x) * weight,
                   self.y + (other.y - self.y) * weight)

    def length(self):
        return math.hypot(self.x, self.y)


class BSpline:
    """A clamped uniform B-spline of the given degree."""

    def __init__(self, points, degree=3):
        self.points = [Vec(x, y) for x, y in points]
        self.degree = degree
        inner = len(points) - degree
        self.knots = ([0] * degree + list(range(inner + 1))
                      + [inner] * degree)
        self.end = float(inner)

    def span(self, u):
        """Index k with knots[k] <= u < knots[k + 1] (the last span at end)."""
        k = self.degree + int(u)
        return min(k, len(self.points) - 1)

    def __call__(self, u):
        p = self.degree
        k = self.span(u)
        knots = self.knots
        d = self.points[k - p:k + 1]
        # de Boor: p rounds of blending neighbouring points.
        for r in range(1, p + 1):
            for j in range(p, r - 1, -1):
                left = knots[j + k - p]
                alpha = (u - left) / (knots[j + 1 + k - r] - left)
                d[j] = d[j - 1].blend(d[j], alpha)
        return d[p]

    def approximate_length(self, samples=200):
        step = self.end / samples
        prev = self(0.0)
        total = 0.0
        for i in range(1, samples + 1):
            point = self(min(i * step, self.end))
            total += (point - prev).length()
            prev = point
        return total


class ChaosGame:
    def __init__(self, curves, thickness):
        self.splines = [BSpline(points) for points in curves]
        self.thickness = thickness
        lengths = [s.approximate_length() for s in self.splines]
        self.weights = [length / sum(lengths) for length in lengths]
        xs = [p.x for s in self.splines for p in s.points]
        ys = [p.y for s in self.splines for p in s.points]
        # Control points bound the curves; the margin holds the bands.
        margin = thickness
        self.min_x, self.max_x = min(xs) - margin, max(xs) + margin
        self.min_y, self.max_y = min(ys) - margin, max(ys) + margin

    def transform(self, point, spline):
        """Map the box onto a band around `spline`: x runs along the curve,
        y across it."""
        fx = (point.x - self.min_x) / (self.max_x - self.min_x)
        fy = (point.y - self.min_y) / (self.max_y - self.min_y)
        u = fx * spline.end
        step = TANGENT_STEP * spline.end
        if u + step > spline.end:
            u -= step
        base = spline(u)
        tangent = spline(u + step) - base
        norm = tangent.length()
        normal = Vec(-tangent.y / norm, tangent.x / norm)
        return base + normal * ((fy - 0.5) * self.thickness)

    def clamp(self, point):
        return Vec(min(max(point.x, self.min_x), self.max_x),
                   min(max(point.y, self.min_y), self.max_y))

    def draw(self, iterations, width, height, rng):
        image = bytearray(width * height)
        scale_x = (width - 1) / (self.max_x - self.min_x)
        scale_y = (height - 1) / (self.max_y - self.min_y)
        point = Vec(rng.uniform(self.min_x, self.max_x),
                    rng.uniform(self.min_y, self.max_y))
        indices = range(len(self.splines))
        for _ in range(iterations):
            index = rng.choices(indices, self.weights)[0]
            point = self.clamp(self.transform(point, self.splines[index]))
            column = int((point.x - self.min_x) * scale_x)
            row = int((self.max_y - point.y) * scale_y)
            image[row * width + column] = 1
        return image


def setup():
    return ChaosGame(CURVES, THICKNESS)


def run(state, loops):
    for _ in range(loops):
        image = state.draw(ITERATIONS, WIDTH, HEIGHT, random.Random(SEED))
        pixels = sum(image)
        digest = hashlib.sha1(image).hexdigest()
        if (pixels, digest) != (EXPECTED_PIXELS, EXPECTED_SHA1):
            raise AssertionError("chaos: %d pixels (sha1 %s), expected %d "
                                 "(%s)" % (pixels, digest, EXPECTED_PIXELS,
                                           EXPECTED_SHA1))
