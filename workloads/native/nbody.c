/* cpu.nbody, C twin of workloads/python/cpu_nbody.py.
 *
 * One operation is one short simulation of the Sun and the four outer
 * planets (the Benchmarks Game's n-body system): STEPS steps of DT from the
 * fixed initial state with Jupiter's x-velocity nudged by
 * (op % WINDOW) * NUDGE. The answer adds up each run's final energy
 * quantized as (int64)(-energy * 1e9).
 *
 * The twins agree to the last bit, not approximately: every expression is
 * evaluated in the Python module's order, in IEEE doubles (x86-64 SSE2, no
 * excess precision), with floating-point contraction off (no fused
 * multiply-add: CMakeLists.txt compiles this file with -ffp-contract=off),
 * and the distance uses sqrt, which is correctly rounded on both sides.
 * Keep the constants, the order of the arithmetic and the split equal to
 * the Python module's: tests compare the answers.
 */
#include "native.h"

#include <math.h>

#define PI 3.14159265358979323
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define STEPS 100
#define DT 0.01
#define WINDOW 64
#define NUDGE 1e-5
#define NBODIES 5

/* x, y, z, vx, vy, vz, mass */
static const double SYSTEM[NBODIES][7] = {
    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00,
     -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
     7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR,
     9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR,
     4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR,
     2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01,
     -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
     2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR,
     4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR,
     1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR,
     5.15138902046611451e-05 * SOLAR_MASS},
};

static double simulate(uint64_t op) {
  double r[NBODIES][3], v[NBODIES][3], m[NBODIES];
  for (int i = 0; i < NBODIES; i++) {
    for (int k = 0; k < 3; k++) {
      r[i][k] = SYSTEM[i][k];
      v[i][k] = SYSTEM[i][3 + k];
    }
    m[i] = SYSTEM[i][6];
  }
  v[1][0] = v[1][0] + (double)(op % WINDOW) * NUDGE;
  for (int s = 0; s < STEPS; s++) {
    for (int i = 0; i < NBODIES; i++)
      for (int j = i + 1; j < NBODIES; j++) {
        double dx = r[i][0] - r[j][0];
        double dy = r[i][1] - r[j][1];
        double dz = r[i][2] - r[j][2];
        double d2 = dx * dx + dy * dy + dz * dz;
        double mag = DT / (d2 * sqrt(d2));
        double b1m = m[i] * mag;
        double b2m = m[j] * mag;
        v[i][0] -= dx * b2m;
        v[i][1] -= dy * b2m;
        v[i][2] -= dz * b2m;
        v[j][0] += dx * b1m;
        v[j][1] += dy * b1m;
        v[j][2] += dz * b1m;
      }
    for (int i = 0; i < NBODIES; i++) {
      r[i][0] += DT * v[i][0];
      r[i][1] += DT * v[i][1];
      r[i][2] += DT * v[i][2];
    }
  }
  double e = 0.0;
  for (int i = 0; i < NBODIES; i++) {
    e += m[i] * (v[i][0] * v[i][0] + v[i][1] * v[i][1] + v[i][2] * v[i][2]) /
         2.0;
    for (int j = i + 1; j < NBODIES; j++) {
      double dx = r[i][0] - r[j][0];
      double dy = r[i][1] - r[j][1];
      double dz = r[i][2] - r[j][2];
      e -= (m[i] * m[j]) / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

int native_nbody(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  uint64_t total = 0;
  for (uint64_t op = first; op < end; op++)
    total += (uint64_t)(int64_t)(-simulate(op) * 1e9);
  out->ops = end - first;
  out->answer = total;
  return 0;
}
