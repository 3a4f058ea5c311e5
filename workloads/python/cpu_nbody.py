"""cpu.nbody: the outer planets' orbits, stepped in floats (pure Python).

One operation is one short simulation: the Sun, Jupiter, Saturn, Uranus and
Neptune (the Computer Language Benchmarks Game's n-body system) advanced
STEPS steps of DT, starting from the fixed initial state with Jupiter's
x-velocity nudged by (op % WINDOW) * NUDGE, so operations differ but cost
the same. The answer adds up each run's final energy quantized as
int(-energy * 1e9).

The C twin (workloads/native/nbody.c) computes the same doubles: every
expression here is written in the order C evaluates its twin (left to
right, no fused multiply-add), and the distance uses math.sqrt, which is
correctly rounded on both sides, where the classic benchmark uses ** -1.5
(libm's pow, whose last bit could differ). math.sqrt is looked up on the
module at every call, as most code does: on free-threaded 3.13 two threads
doing that contend on the shared module and function objects (a 2-thread
loop of math.sqrt(2.0) ran 1.06x faster than one thread there, 1.34x with
a local alias), which is part of what this workload shows. Keep the constants, the order of
the arithmetic and the split equal to the C file's: tests compare answers.
"""

import math

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24
STEPS = 100
DT = 0.01
WINDOW = 64
NUDGE = 1e-5

# x, y, z, vx, vy, vz, mass
SYSTEM = (
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
    (4.84143144246472090e+00, -1.16032004402742839e+00,
     -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
     7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR,
     9.54791938424326609e-04 * SOLAR_MASS),
    (8.34336671824457987e+00, 4.12479856412430479e+00,
     -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS_PER_YEAR,
     4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR,
     2.85885980666130812e-04 * SOLAR_MASS),
    (1.28943695621391310e+01, -1.51111514016986312e+01,
     -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
     2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR,
     4.36624404335156298e-05 * SOLAR_MASS),
    (1.53796971148509165e+01, -2.59193146099879641e+01,
     1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS_PER_YEAR,
     1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR,
     5.15138902046611451e-05 * SOLAR_MASS),
)


def simulate(op):
    """Runs operation `op` and returns the system's final energy."""
    r = [[b[0], b[1], b[2]] for b in SYSTEM]
    v = [[b[3], b[4], b[5]] for b in SYSTEM]
    m = [b[6] for b in SYSTEM]
    v[1][0] = v[1][0] + (op % WINDOW) * NUDGE
    n = len(m)
    pairs = [(r[i], v[i], m[i], r[j], v[j], m[j])
             for i in range(n) for j in range(i + 1, n)]
    bodies = list(zip(r, v))
    dt = DT
    for _ in range(STEPS):
        for r1, v1, m1, r2, v2, m2 in pairs:
            dx = r1[0] - r2[0]
            dy = r1[1] - r2[1]
            dz = r1[2] - r2[2]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            b1m = m1 * mag
            b2m = m2 * mag
            v1[0] -= dx * b2m
            v1[1] -= dy * b2m
            v1[2] -= dz * b2m
            v2[0] += dx * b1m
            v2[1] += dy * b1m
            v2[2] += dz * b1m
        for ri, vi in bodies:
            ri[0] += dt * vi[0]
            ri[1] += dt * vi[1]
            ri[2] += dt * vi[2]
    e = 0.0
    for i in range(n):
        vi = v[i]
        e += m[i] * (vi[0] * vi[0] + vi[1] * vi[1] + vi[2] * vi[2]) / 2.0
        for j in range(i + 1, n):
            dx = r[i][0] - r[j][0]
            dy = r[i][1] - r[j][1]
            dz = r[i][2] - r[j][2]
            e -= (m[i] * m[j]) / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` runs its block of the `units`
    simulations; returns (operations, sum of quantized final energies)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    total = 0
    for op in range(first, end):
        total += int(-simulate(op) * 1e9)
    return end - first, total
