"""N-body: the Sun and the four giant planets under Newtonian gravity.

Symplectic Euler integration, 20,000 steps of dt = 0.01 (in years, with masses
in solar masses and distances in AU), after zeroing the system's momentum by
giving the Sun the opposite of the planets' momentum. The total energy is
computed before and after, and both are checked against the well-known
values of this problem.
"""
from itertools import combinations
from math import isclose, pi, sqrt

STEPS = 20_000
DT = 0.01

SOLAR_MASS = 4 * pi * pi
DAYS_PER_YEAR = 365.24

# Name, position (AU), velocity (AU/day, converted below), mass (solar masses).
PLANETS = (
    ("sun", (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 1.0),
    ("jupiter",
     (4.84143144246472090e+00, -1.16032004402742839e+00,
      -1.03622044471123109e-01),
     (1.66007664274403694e-03, 7.69901118419740425e-03,
      -6.90460016972063023e-05),
     9.54791938424326609e-04),
    ("saturn",
     (8.34336671824457987e+00, 4.12479856412430479e+00,
      -4.03523417114321381e-01),
     (-2.76742510726862411e-03, 4.99852801234917238e-03,
      2.30417297573763929e-05),
     2.85885980666130812e-04),
    ("uranus",
     (1.28943695621391310e+01, -1.51111514016986312e+01,
      -2.23307578892655734e-01),
     (2.96460137564761618e-03, 2.37847173959480950e-03,
      -2.96589568540237556e-05),
     4.36624404335156298e-05),
    ("neptune",
     (1.53796971148509165e+01, -2.59193146099879641e+01,
      1.79258772950371181e-01),
     (2.68067772490389322e-03, 1.62824170038242295e-03,
      -9.51592254519715870e-05),
     5.15138902046611451e-05),
)

# Energies after zeroing the momentum and after 20,000 steps, to 12 digits.
# The first rounds to the published -0.169075164; both agree with an
# independent NumPy integration of the same scheme.
ENERGY_BEFORE = -0.169075163829
ENERGY_AFTER = -0.169089262755


def make_bodies():
    """Return bodies as [position, velocity, mass] with mutable vectors."""
    bodies = [[list(pos), [v * DAYS_PER_YEAR for v in vel],
               mass * SOLAR_MASS]
              for _, pos, vel, mass in PLANETS]
    # The Sun takes the planets' opposite momentum: the centre of mass stays.
    sun_vel = bodies[0][1]
    for _, vel, mass in bodies[1:]:
        for k in range(3):
            sun_vel[k] -= vel[k] * mass / SOLAR_MASS
    return bodies


def energy(bodies, pairs):
    e = 0.0
    for _, (vx, vy, vz), m in bodies:
        e += 0.5 * m * (vx * vx + vy * vy + vz * vz)
    for ((x1, y1, z1), _, m1), ((x2, y2, z2), _, m2) in pairs:
        dx = x1 - x2
        dy = y1 - y2
        dz = z1 - z2
        e -= m1 * m2 / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def advance(bodies, pairs, dt, steps):
    for _ in range(steps):
        # Velocities first, from the positions at the start of the step...
        for (p1, v1, m1), (p2, v2, m2) in pairs:
            dx = p1[0] - p2[0]
            dy = p1[1] - p2[1]
            dz = p1[2] - p2[2]
            d2 = dx * dx + dy * dy + dz * dz
            scale = dt / (d2 * sqrt(d2))
            s1 = m1 * scale
            s2 = m2 * scale
            v1[0] -= dx * s2
            v1[1] -= dy * s2
            v1[2] -= dz * s2
            v2[0] += dx * s1
            v2[1] += dy * s1
            v2[2] += dz * s1
        # ...then positions, from the new velocities.
        for p, v, _ in bodies:
            p[0] += dt * v[0]
            p[1] += dt * v[1]
            p[2] += dt * v[2]


def check(label, got, expected):
    if not isclose(got, expected, rel_tol=0.0, abs_tol=1e-11):
        raise AssertionError("nbody: energy %s %.12f, expected %.12f"
                             % (label, got, expected))


def setup():
    return STEPS


def run(state, loops):
    for _ in range(loops):
        # Fresh bodies each time so that every loop checks the same values.
        bodies = make_bodies()
        pairs = list(combinations(bodies, 2))
        check("before", energy(bodies, pairs), ENERGY_BEFORE)
        advance(bodies, pairs, DT, state)
        check("after", energy(bodies, pairs), ENERGY_AFTER)
