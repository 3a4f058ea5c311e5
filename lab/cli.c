/* cli — see cli.h. */
#include "cli.h"

#include "calibrate.h"
#include "compare.h"
#include "experiment.h"
#include "merge.h"
#include "model.h"
#include "outfile.h"
#include "place.h"
#include "probe.h"
#include "pyperf.h"
#include "registry.h"
#include "report.h"
#include "run.h"
#include "runtime.h"
#include "spec.h"
#include "util.h"

#include "gitrev.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

typedef struct {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *help;
} command;

static int cmd_run(int argc, char **argv);
static int cmd_run_spec(const spec_matrix *s, int argc, char **argv,
                        const char *resume);
static int cmd_run_resume(int argc, char **argv);
static int cmd_calibrate(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_topo(int argc, char **argv);
static int cmd_probe(int argc, char **argv);
static int cmd_report(int argc, char **argv);
static int cmd_compare(int argc, char **argv);
static int cmd_merge(int argc, char **argv);
static int cmd_export(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const command commands[] = {
    {"run", cmd_run, "run an experiment and write its results and reports"},
    {"calibrate", cmd_calibrate,
     "check the GIL probe against known answers, and measure its cost"},
    {"probe", cmd_probe,
     "run a command with the GIL probe in every process it starts, and "
     "report"},
    {"list", cmd_list, "list workloads, models, placements and runtimes"},
    {"topo", cmd_topo, "show the topology and the PUs a placement gives"},
    {"report", cmd_report,
     "remake summary.md, report.html, the charts and results.csv of a "
     "results directory"},
    {"merge", cmd_merge,
     "join the shards of a run (run --shard) into one results directory"},
    {"compare", cmd_compare,
     "two runs side by side: per-cell ratios with intervals and verdicts"},
    {"export", cmd_export,
     "a results directory in another tool's format (--pyperf: a pyperf "
     "suite)"},
    {"version", cmd_version, "print gillab's version and default runtime"},
    {"help", cmd_help, "this list, or `help COMMAND` for a command's help"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int usage_error(const char *cmd, const char *msg) {
  fprintf(stderr, "gillab %s: %s\n(try `gillab %s --help`)\n", cmd, msg, cmd);
  return 2;
}

/* Parses options that are only --help (and, for commands with flags, none
 * other): returns 1 if help was printed, 0 to go on, -1 on a bad option. */
static int only_help(int argc, char **argv, const char *usage) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage, stdout);
      return 1;
    }
    return -1;
  }
  return 0;
}

/* gillab run with argv; resume: the directory of --resume, or NULL. */
static int cmd_run_how(int argc, char **argv, const char *resume) {
  spec_matrix s;
  char err[4096];
  int rc = spec_from_args(&s, argc, argv, err, sizeof err);
  if (rc != 0)
    spec_free(&s);
  if (rc == 1)
    return 0;
  if (rc < 0)
    return usage_error("run", err);
  /* An experiment file: its options first, then the command line's again,
   * which override them. x outlives the run (s points into it). */
  experiment *x = NULL;
  if (s.experiment) {
    rc = experiment_read(s.experiment, &x, err, sizeof err);
    if (rc == 0)
      rc = experiment_spec(x, &s, argc, argv, err, sizeof err);
    if (rc < 0) {
      spec_free(&s);
      experiment_free(x);
      fprintf(stderr, "gillab run: %s\n", err);
      return rc == -EINVAL || rc == -ENOENT ? 2 : 1;
    }
  }
  if (s.dry_run) {
    run_plan(&s, stdout);
    rc = 0;
  } else {
    rc = cmd_run_spec(&s, argc, argv, resume);
  }
  spec_free(&s);
  experiment_free(x);
  return rc;
}

static int cmd_run(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--resume") == 0 ||
        strncmp(argv[i], "--resume=", 9) == 0)
      return cmd_run_resume(argc, argv);
  return cmd_run_how(argc, argv, NULL);
}

/* Reads `--NAME VALUE` or `--NAME=VALUE` at argv[*i] into *value (and
 * moves *i past it); 0 when argv[*i] is not that option. */
static int option_value(int argc, char **argv, int *i, const char *name,
                        const char **value) {
  size_t len = strlen(name);
  if (strncmp(argv[*i], name, len) != 0)
    return 0;
  if (argv[*i][len] == '=')
    *value = argv[(*i)++] + len + 1;
  else if (argv[*i][len] == '\0' && *i + 1 < argc)
    *value = argv[(*i += 2) - 1];
  else
    return 0;
  return 1;
}

/* gillab run --resume DIR [--shard K/N|auto]: the run's options read back
 * from DIR's metadata (argv, typed in cwd), run again with DIR to
 * complete; run.c checks that the spec, the build and the runtimes are
 * the same. A shard is resumed as the shard its metadata says it is
 * (K/N: `--shard auto` needs no scheduler's variables now); a --shard
 * given here replaces it, and run.c refuses it unless it is the same. */
static int cmd_run_resume(int argc, char **argv) {
  const char *dir = NULL, *shard_arg = NULL;
  for (int i = 1; i < argc;)
    if (!option_value(argc, argv, &i, "--resume", &dir) &&
        !option_value(argc, argv, &i, "--shard", &shard_arg))
      return usage_error("run", "--resume DIR takes no other option but "
                                "--shard: the run's own are read from DIR");
  if (!dir)
    return usage_error("run", "--resume needs the run's directory");
  char abs[PATH_MAX], path[PATH_MAX + 32];
  if (!realpath(dir, abs)) {
    fprintf(stderr, "gillab run: cannot resume %s: %s\n", dir, strerror(errno));
    return 1;
  }
  snprintf(path, sizeof path, "%s/results.jsonl", abs);
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  cJSON *meta = f && getline(&line, &cap, f) > 0 ? cJSON_Parse(line) : NULL;
  free(line);
  if (f)
    fclose(f);
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(meta, "argv");
  int n = cJSON_GetArraySize(a);
  if (!f || !cJSON_IsArray(a) || n < 1) {
    fprintf(stderr,
            "gillab run: cannot resume %s: %s (a run's directory made by a "
            "gillab with --resume holds its options there)\n",
            dir,
            !f     ? "it has no results.jsonl"
            : meta ? "its metadata does not hold the run's options"
                   : "its first line is not a metadata record");
    cJSON_Delete(meta);
    return 1;
  }
  char **args = calloc((size_t)n + 2, sizeof *args); /* + a --shard */
  for (int i = 0; args && i < n; i++)
    args[i] = cJSON_GetStringValue(cJSON_GetArrayItem(a, i));
  for (int i = 0; args && i < n; i++)
    if (!args[i]) {
      free(args);
      args = NULL;
    }
  /* The shard the directory holds, unless one was given here. */
  const cJSON *sh = cJSON_GetObjectItemCaseSensitive(meta, "shard");
  char shard_kn[64], shard_opt[80];
  if (!shard_arg && cJSON_IsObject(sh)) {
    snprintf(
        shard_kn, sizeof shard_kn, "%g/%g",
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sh, "index")),
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sh, "count")));
    shard_arg = shard_kn;
  }
  snprintf(shard_opt, sizeof shard_opt, "--shard=%s",
           shard_arg ? shard_arg : "");
  int replaced = 0;
  for (int i = 1; args && shard_arg && i < n;) {
    const char *ignored;
    int at = i;
    if (!option_value(n, args, &at, "--shard", &ignored)) {
      i++;
      continue;
    }
    if (strcmp(args[i], "--shard") == 0)
      args[i + 1] = (char *)shard_arg;
    else
      args[i] = shard_opt;
    replaced = 1;
    i = at;
  }
  if (args && shard_arg && !replaced) /* run.c refuses: not a shard */
    args[n++] = shard_opt;
  /* Relative paths of the options (an experiment or workload file, -o)
   * were relative to where the run was typed. */
  const char *cwd =
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "cwd"));
  if (cwd && chdir(cwd) < 0)
    fprintf(stderr,
            "gillab run: note: the run was started in %s, which is gone (%s); "
            "relative paths in its options are taken from here\n",
            cwd, strerror(errno));
  int rc = args ? cmd_run_how(n, args, abs) : 1;
  free(args);
  cJSON_Delete(meta);
  return rc;
}

/* Runs a parsed spec, printing where its outputs went. */
static int cmd_run_spec(const spec_matrix *s, int argc, char **argv,
                        const char *resume) {
  /* Large enough for a user workload's traceback. */
  char err[4096], outdir[PATH_MAX];
  int rc;
  if (s->added_one_worker && !s->quiet)
    fprintf(stderr, "gillab: also running 1 worker, the speedup baseline\n");
  /* The exact command, as the user typed it, goes into the metadata. */
  char *command = util_join_argv(argc, argv);
  char full[8192];
  snprintf(full, sizeof full, "gillab %s", command ? command : "run");
  free(command);
  run_how how = {.argc = argc, .argv = argv, .resume = resume};
  rc = run_execute_how(s, full, &how, outdir, sizeof outdir, err, sizeof err);
  if (rc < 0) {
    fprintf(stderr, "gillab run: %s\n", err);
    return rc == -ENOENT || rc == -EINVAL ? 2 : 1;
  }
  if (rc > 128)
    fprintf(stderr,
            "gillab: %s (SIG%s); the cells measured so far are kept "
            "(gillab run --resume %s completes the run).\n",
            rc == 128 + SIGINT    ? "interrupted"
            : rc == 128 + SIGHUP  ? "hung up"
            : rc == 128 + SIGTERM ? "terminated"
                                  : "stopped",
            sigabbrev_np(rc - 128) ? sigabbrev_np(rc - 128) : "?", outdir);
  printf("results: %s/results.jsonl\nsummary: %s/summary.md\n"
         "report:  %s/report.html\ncsv:     %s/results.csv\n",
         outdir, outdir, outdir, outdir);
  return rc > 128 ? rc : 0;
}

static const char merge_usage[] =
    "usage: gillab merge [--partial] OUT DIR...\n"
    "\n"
    "Joins the results directories of the shards of one run (gillab run\n"
    "--shard K/N or auto, each on its own machine) into OUT: results.jsonl,\n"
    "summary.md, report.html, the charts and results.csv, as a run writes\n"
    "them. The directories must hold the same spec (its sha256) cut into\n"
    "the same number of shards. A missing shard, one given twice, or one\n"
    "with fewer cells than it was to run is named, and nothing is\n"
    "written (exit 1).\n"
    "Every record keeps its shard; when the shards ran on machines that\n"
    "differ (CPU model, topology, kernel, a runtime's build), every record\n"
    "also names its machine (m1, m2, ...) and every table, chart and\n"
    "finding keeps the machines apart: nothing is averaged across them.\n"
    "  --partial   merge what is there; every output says it is partial\n"
    "              and what is missing\n"
    "\n"
    "example: gillab merge results/merged results/slurm-4242/shard-*\n";

static int cmd_merge(int argc, char **argv) {
  static const struct option opts[] = {
      {"partial", no_argument, NULL, 'p'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int partial = 0, c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'p') {
      partial = 1;
    } else if (c == 'h') {
      fputs(merge_usage, stdout);
      return 0;
    } else {
      return usage_error("merge", "unknown option");
    }
  }
  if (argc - optind < 2)
    return usage_error("merge", "give OUT and at least one shard directory");
  char err[8192], notes[4096];
  const char *out = argv[optind];
  int rc = merge_run(out, argv + optind + 1, (size_t)(argc - optind - 1),
                     partial, notes, sizeof notes, err, sizeof err);
  if (rc < 0) {
    fprintf(stderr, "gillab merge: %s\n", err);
    return 1;
  }
  if (notes[0])
    fprintf(stderr, "gillab merge: PARTIAL, merged what is there:\n%s", notes);
  printf("results: %s/results.jsonl\nsummary: %s/summary.md\n"
         "report:  %s/report.html\ncsv:     %s/results.csv\n",
         out, out, out, out);
  return 0;
}

static const char calibrate_usage[] =
    "usage: gillab calibrate [--json] [--runtime TAG] [--pairs N] [--size X] "
    "[--instructions] [-q]\n"
    "\n"
    "Checks the GIL probe against experiments with known answers and\n"
    "measures what it costs (about a minute):\n"
    "  hold_gil             a thread holds the GIL in C for known spans;\n"
    "                       another's measured wait must equal them\n"
    "  cpu_bound_N_threads  each of N CPU-bound threads waits (N-1)/N of\n"
    "                       its time\n"
    "  sleepers_4_threads   threads sleeping with the GIL released wait ~0\n"
    "  overhead             cpu.primes with the probe on / off, 1 and 4\n"
    "                       threads, median of interleaved pairs of phases\n"
    "                       in one process\n"
    "  --json         print the result as JSON\n"
    "  --runtime TAG  the runtime to calibrate (default: the build's first)\n"
    "  --pairs N      on/off pairs for the overhead (default 11, at least 5\n"
    "                 for a median worth quoting)\n"
    "  --size X       scale cpu.primes' work (default 0.5)\n"
    "  --instructions also count the overhead in instructions under valgrind\n"
    "                 (cachegrind): probe off, on, off again (A/A) in fresh\n"
    "                 runners; wall-clock pairs scatter more than the\n"
    "                 budgets on VMs (adds half a minute here; needs "
    "valgrind)\n"
    "  -q, --quiet    no progress on stderr\n";

static int cmd_calibrate(int argc, char **argv) {
  static const struct option opts[] = {
      {"json", no_argument, NULL, 'j'},
      {"runtime", required_argument, NULL, 'R'},
      {"pairs", required_argument, NULL, 'P'},
      {"size", required_argument, NULL, 'S'},
      {"quiet", no_argument, NULL, 'q'},
      {"instructions", no_argument, NULL, 'I'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  calibrate_opts o = {
      .runtime = GILLAB_DEFAULT_RUNTIME, .pairs = 11, .size = 0.5};
  int json = 0, c;
  char *end, err[1024];
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
    switch (c) {
    case 'j':
      json = 1;
      break;
    case 'R':
      o.runtime = optarg;
      break;
    case 'P':
      o.pairs = (unsigned)strtoul(optarg, &end, 10);
      if (*end || o.pairs < 1 || o.pairs > 1000)
        return usage_error("calibrate", "--pairs needs a count from 1 to 1000");
      break;
    case 'S':
      o.size = strtod(optarg, &end);
      if (*end || !(o.size > 0 && o.size <= 1000))
        return usage_error("calibrate", "--size needs a number above 0");
      break;
    case 'q':
      o.quiet = 1;
      break;
    case 'I':
      o.instructions = 1;
      break;
    case 'h':
      fputs(calibrate_usage, stdout);
      return 0;
    case ':':
      return usage_error("calibrate", "an option needs a value");
    default:
      return usage_error("calibrate", "unknown option");
    }
  }
  if (optind < argc)
    return usage_error("calibrate", "calibrate takes options only");
  if (runtime_known(o.runtime, err, sizeof err) < 0)
    return usage_error("calibrate", err);
  cJSON *result;
  if (calibrate_run(&o, &result, err, sizeof err) < 0) {
    fprintf(stderr, "gillab calibrate: %s\n", err);
    return 1;
  }
  if (json) {
    char *text = cJSON_Print(result);
    printf("%s\n", text ? text : "{}");
    cJSON_free(text);
  } else {
    calibrate_print(result, stdout);
  }
  cJSON_Delete(result);
  return 0;
}

static const char list_usage[] =
    "usage: gillab list [--all] [--runtimes]\n"
    "\n"
    "Lists the workloads (with the models each fits), the execution models,\n"
    "the placement policies and the runtimes this build can run.\n"
    "  --all        also the test workloads (debug.*)\n"
    "  --runtimes   only the runtimes, with version, GIL and path\n";

static int list_runtimes(void) {
  char tags[RUNTIME_MAX][RUNTIME_TAG_MAX], err[1024];
  int n = runtime_list(tags, RUNTIME_MAX), rc = 0;
  if (n == 0) {
    fprintf(stderr, "gillab list: no runner found next to gillab; build "
                    "with scripts/bootstrap\n");
    return 1;
  }
  printf("%-8s %-10s %-15s %s\n", "runtime", "version", "GIL", "runner");
  for (int i = 0; i < n; i++) {
    cJSON *info = runtime_info(tags[i], err, sizeof err);
    if (!info) {
      printf("%-8s (broken: %s)\n", tags[i], err);
      rc = 1;
      continue;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(info, "version");
    const cJSON *ft = cJSON_GetObjectItemCaseSensitive(info, "free_threaded");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(info, "runner");
    printf("%-8s %-10s %-15s %s%s\n", tags[i],
           cJSON_IsString(v) ? v->valuestring : "?",
           cJSON_IsTrue(ft) ? "free-threaded" : "GIL",
           cJSON_IsString(r) ? r->valuestring : "?",
           strcmp(tags[i], GILLAB_DEFAULT_RUNTIME) == 0 ? " (default)" : "");
    cJSON_Delete(info);
  }
  return rc;
}

static int cmd_list(int argc, char **argv) {
  static const struct option opts[] = {
      {"all", no_argument, NULL, 'a'},
      {"runtimes", no_argument, NULL, 'R'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int all = 0, runtimes = 0, c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'a')
      all = 1;
    else if (c == 'R')
      runtimes = 1;
    else if (c == 'h') {
      fputs(list_usage, stdout);
      return 0;
    } else {
      return usage_error("list", "unknown option");
    }
  }
  if (optind < argc)
    return usage_error("list", "list takes no arguments");
  if (runtimes)
    return list_runtimes();
  size_t n;
  const wl_workload *wls = registry_all(&n);
  printf("workloads:\n");
  for (size_t i = 0; i < n; i++) {
    if (wls[i].hidden && !all)
      continue;
    printf("  %-16s %s\n  %-16s models:", wls[i].name, wls[i].summary, "");
    for (int m = 0; m < MODEL_COUNT; m++)
      if (wls[i].models & MODEL_BIT(m))
        printf(" %s", model_name((model_t)m));
    printf("\n");
  }
  printf("\nmodels:\n");
  for (int m = 0; m < MODEL_COUNT; m++)
    printf("  %-16s %s\n", model_name((model_t)m), model_help((model_t)m));
  printf("\nplacements:\n");
  for (int p = 0; p < PLACE_POLICY_COUNT; p++)
    printf("  %-16s %s\n", place_policy_name((place_policy)p),
           place_policy_help((place_policy)p));
  printf("  %-16s %s\n", "TYPE:INDEXES",
         "hwloc locations, e.g. core:0-1 or pu:0,pu:1: worker i on object i");
  printf("\nruntimes: `gillab list --runtimes`\n");
  return 0;
}

static const char topo_usage[] =
    "usage: gillab topo [--synthetic DESC] [--plan POLICY] [-n N]\n"
    "\n"
    "Prints the machine's topology (from hwloc) and the PU each of N workers\n"
    "gets under each placement policy (or only POLICY).\n"
    "  --synthetic DESC  plan for a machine you don't have, in hwloc's\n"
    "                    synthetic syntax, e.g. 'pack:2 core:16 pu:2'\n"
    "  --plan POLICY     none, compact, scatter, one-core (default: all), or\n"
    "                    hwloc locations such as core:0-1 or pu:0,pu:1\n"
    "  -n, --workers N   number of workers (default: the number of PUs)\n";

static int cmd_topo(int argc, char **argv) {
  static const struct option opts[] = {
      {"synthetic", required_argument, NULL, 's'},
      {"plan", required_argument, NULL, 'p'},
      {"workers", required_argument, NULL, 'n'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *synthetic = NULL, *policy = NULL;
  long workers = 0;
  int c;
  char err[512];
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
    char *end;
    switch (c) {
    case 's':
      synthetic = optarg;
      break;
    case 'p':
      policy = optarg;
      break;
    case 'n':
      workers = strtol(optarg, &end, 10);
      if (*end || workers < 1 || workers > 100000)
        return usage_error("topo", "-n needs a worker count >= 1");
      break;
    case 'h':
      fputs(topo_usage, stdout);
      return 0;
    case ':':
      return usage_error("topo", "an option needs a value");
    default:
      return usage_error("topo", "unknown option");
    }
  }
  if (optind < argc)
    return usage_error("topo", "topo takes options only");
  place_policy only = PLACE_NONE;
  if (policy && !place_is_location(policy) &&
      place_policy_parse(policy, &only, err, sizeof err) < 0)
    return usage_error("topo", err);
  place_topo *t;
  if (place_topo_open(&t, synthetic, err, sizeof err) < 0)
    return usage_error("topo", err);
  char summary[256];
  place_topo_summary(t, summary, sizeof summary);
  char *tree = place_topo_render(t);
  printf("%s%s\n\n%s\n", synthetic ? "synthetic: " : "", summary,
         tree ? tree : "");
  free(tree);
  unsigned n = workers ? (unsigned)workers : place_topo_npus(t);
  for (int p = 0; p < PLACE_POLICY_COUNT; p++) {
    if (policy && p != (int)only)
      continue;
    const char *name = policy ? policy : place_policy_name((place_policy)p);
    place_plan_t plan;
    if (place_plan_named(t, name, n, &plan, err, sizeof err) < 0) {
      fprintf(stderr, "gillab topo: %s\n", err);
      place_topo_close(t);
      return 1;
    }
    printf("%-8s %u workers -> PU", name, n);
    for (unsigned i = 0; i < plan.n; i++)
      printf(" %s", plan.sets[i][0] ? plan.sets[i] : "*");
    printf("%s\n", strcmp(name, "none") == 0 ? "   (* = unbound)" : "");
    place_plan_free(&plan);
  }
  place_topo_close(t);
  return 0;
}

/* gillab probe: the exit status is the command's (probe.h). */
static int cmd_probe(int argc, char **argv) {
  probe_opts o;
  char err[PATH_MAX + 1024], outdir[PATH_MAX];
  int rc = probe_parse(&o, argc, argv, err, sizeof err);
  if (rc == 1) {
    fputs(probe_usage, stdout);
    return 0;
  }
  if (rc < 0)
    return usage_error("probe", err);
  /* As a shell would say it, before anything is written. */
  rc = probe_find_command(o.argv[0]);
  if (rc < 0) {
    fprintf(stderr, "gillab probe: %s: %s\n", o.argv[0],
            rc == -ENOENT ? "command not found" : strerror(-rc));
    return 127;
  }
  char *command = util_join_argv(argc, argv);
  char full[8192];
  snprintf(full, sizeof full, "gillab %s", command ? command : "probe");
  free(command);
  probe_outcome out;
  rc = probe_execute(&o, full, outdir, sizeof outdir, &out, err, sizeof err);
  if (rc < 0) {
    fprintf(stderr, "gillab probe: %s\n", err);
    return rc == -EEXIST ? 2 : 1;
  }
  int status = probe_exit_status(&out);
  if (!out.ran)
    fprintf(stderr, "gillab probe: %s: %s\n", o.argv[0],
            strerror(out.exec_errno));
  else if (WIFSIGNALED(out.status))
    fprintf(stderr,
            "gillab probe: the command was killed by signal %d (SIG%s); "
            "exiting with %d\n",
            WTERMSIG(out.status),
            sigabbrev_np(WTERMSIG(out.status))
                ? sigabbrev_np(WTERMSIG(out.status))
                : "?",
            status);
  if (!o.quiet)
    fprintf(stderr,
            "results: %s/results.jsonl\nsummary: %s/summary.md\n"
            "report:  %s/report.html\ncsv:     %s/results.csv\n",
            outdir, outdir, outdir, outdir);
  if (!o.quiet && o.trace)
    fprintf(stderr, "trace:   %s (and %s/trace.json)\n", o.trace, outdir);
  return status;
}

static const char report_usage[] =
    "usage: gillab report DIR\n"
    "\n"
    "Remakes every output of a results directory from DIR/results.jsonl:\n"
    "summary.md, results.csv, report.html and the charts as .svg files.\n";

static int cmd_report(int argc, char **argv) {
  int h = only_help(argc, argv, report_usage);
  if (h)
    return h > 0 ? 0 : usage_error("report", "unknown option");
  if (optind != argc - 1)
    return usage_error("report", "give one results directory");
  char err[1024];
  unsigned charts = 0;
  const char *dir = argv[optind];
  if (report_write(dir, &charts, err, sizeof err) < 0) {
    fprintf(stderr, "gillab report: %s\n", err);
    return 1;
  }
  printf("summary: %s/summary.md\nreport:  %s/report.html (%u charts)\n"
         "csv:     %s/results.csv\n",
         dir, dir, charts, dir);
  return 0;
}

static const char compare_usage[] =
    "usage: gillab compare [--metric PATH] [-o FILE] A B\n"
    "\n"
    "Puts two results directories side by side (two runtimes, two machines,\n"
    "before and after a change): cells matched by their key, the median of\n"
    "each with its interval, the ratio B/A with its interval, and whether\n"
    "the difference is larger than the noise. Printed as Markdown.\n"
    "  --metric PATH  the figure to compare (default: throughput; any\n"
    "                 number of the cell records, e.g. speedup,\n"
    "                 gil.wait_share, gc.p99_us)\n"
    "  -o FILE        also write the comparison to FILE (e.g. compare.md)\n";

/* Whether path is a results file: named results.jsonl, or opening with a
 * metadata record (a results file renamed). */
static int is_results_file(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (strcmp(base, "results.jsonl") == 0)
    return 1;
  FILE *f = fopen(path, "r");
  char head[64] = "";
  if (f) {
    if (!fgets(head, sizeof head, f))
      head[0] = '\0';
    fclose(f);
  }
  static const char meta[] = "{\"type\":\"meta\"";
  return strncmp(head, meta, sizeof meta - 1) == 0;
}

static int cmd_compare(int argc, char **argv) {
  static const struct option opts[] = {
      {"metric", required_argument, NULL, 'M'},
      {"output", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *metric = NULL, *outfile = NULL;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'M':
      metric = optarg;
      break;
    case 'o':
      outfile = optarg;
      break;
    case 'h':
      fputs(compare_usage, stdout);
      return 0;
    case ':':
      return usage_error("compare", "an option needs a value");
    default:
      return usage_error("compare", "unknown option");
    }
  }
  if (optind != argc - 2)
    return usage_error("compare", "give two results directories, A and B");
  char *text = NULL, err[1024];
  size_t len, matched;
  FILE *m = open_memstream(&text, &len);
  if (!m)
    return 1;
  int rc = compare_runs(argv[optind], argv[optind + 1], metric, m, &matched,
                        err, sizeof err);
  fclose(m);
  if (rc < 0) {
    free(text);
    fprintf(stderr, "gillab compare: %s\n", err);
    return rc == -EINVAL ? 2 : 1;
  }
  fputs(text, stdout);
  if (outfile && is_results_file(outfile)) {
    fprintf(stderr,
            "gillab compare: %s holds gillab results; -o will not "
            "overwrite it (choose another file, e.g. compare.md)\n",
            outfile);
    free(text);
    return 1;
  }
  if (outfile && outfile_write(outfile, text, len, err, sizeof err) < 0) {
    fprintf(stderr, "gillab compare: %s\n", err);
    free(text);
    return 1;
  }
  free(text);
  if (matched == 0)
    fprintf(stderr, "gillab compare: no cell of A matches a cell of B\n");
  return 0;
}

static const char export_usage[] =
    "usage: gillab export --pyperf [--runtime TAG] DIR OUT.json\n"
    "\n"
    "Writes the results directory DIR (its results.jsonl) in another tool's\n"
    "format.\n"
    "  --pyperf   a pyperf benchmark suite (JSON format 1.0), for\n"
    "             `python3 -m pyperf stats OUT.json` and\n"
    "             `python3 -m pyperf compare_to A.json B.json`:\n"
    "             one benchmark per cell, named by its key\n"
    "             (\"cpu.primes threads n=2 3.11\", plus the axes not at\n"
    "             their default), so that two runs of one experiment match\n"
    "             by name; one run per measured repetition, its value the\n"
    "             seconds per operation (1/throughput; wall_s for a cell\n"
    "             without a throughput: the benchmark's gillab_value says);\n"
    "             warm-up repetitions as warmups of the cell's first run;\n"
    "             gillab, the machine, the runtime and the cell's axes as\n"
    "             metadata. Skipped and failed cells and repetitions are\n"
    "             left out, each named on stderr.\n"
    "  --runtime TAG  only the cells of runtime TAG (and the native ones),\n"
    "             named without it: exports of two runtimes of one run\n"
    "             then match by name in compare_to\n"
    "\n"
    "examples: gillab export --pyperf results/run-1 run-1.json\n"
    "          gillab export --pyperf --runtime 3.11 R py311.json\n"
    "          gillab export --pyperf --runtime 3.13 R py313.json\n"
    "          python3 -m pyperf compare_to py311.json py313.json\n";

static int cmd_export(int argc, char **argv) {
  static const struct option opts[] = {
      {"pyperf", no_argument, NULL, 'P'},
      {"runtime", required_argument, NULL, 'R'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int pyperf = 0, c;
  const char *runtime = NULL;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (c == 'P') {
      pyperf = 1;
    } else if (c == 'R') {
      runtime = optarg;
    } else if (c == ':') {
      return usage_error("export", "--runtime needs a runtime's tag, e.g. "
                                   "--runtime 3.13");
    } else if (c == 'h') {
      fputs(export_usage, stdout);
      return 0;
    } else {
      return usage_error("export", "unknown option");
    }
  }
  if (!pyperf)
    return usage_error("export", "choose a format: --pyperf");
  if (optind != argc - 2)
    return usage_error("export",
                       "give a results directory and the file to write, "
                       "e.g. gillab export --pyperf results/run-1 run-1.json");
  const char *dir = argv[optind], *out = argv[optind + 1];
  if (is_results_file(out)) {
    fprintf(stderr,
            "gillab export: %s holds gillab results; it will not be "
            "overwritten (choose another file, e.g. run.json)\n",
            out);
    return 2;
  }
  char err[1024];
  pyperf_counts n;
  int rc = pyperf_write(dir, out, runtime, stderr, &n, err, sizeof err);
  if (rc < 0) {
    int usage = rc == -ENOENT || rc == -ENOTDIR || rc == -EINVAL;
    fprintf(stderr, "gillab export: %s%s\n", err,
            rc == -ENOENT || rc == -ENOTDIR
                ? " (give a directory a `gillab run` wrote)"
                : "");
    return usage ? 2 : 1;
  }
  printf("pyperf: %s (%zu benchmarks, %zu runs, %zu warmups", out, n.benchmarks,
         n.runs, n.warmups);
  if (n.cells_left_out || n.reps_left_out)
    printf("; left out: %zu cells, %zu repetitions", n.cells_left_out,
           n.reps_left_out);
  printf(")\n");
  return 0;
}

static const char version_usage[] =
    "usage: gillab version\n\nPrints gillab's version, git revision and "
    "default runtime.\n";

static int cmd_version(int argc, char **argv) {
  int h = only_help(argc, argv, version_usage);
  if (h)
    return h > 0 ? 0 : usage_error("version", "unknown option");
  printf("gillab %s (git %s), default runtime %s\n", GILLAB_VERSION,
         GILLAB_GIT_REV, GILLAB_DEFAULT_RUNTIME);
  return 0;
}

static void print_commands(FILE *f) {
  fprintf(f, "usage: gillab COMMAND [options]   (gillab COMMAND --help)\n\n"
             "gillab measures how Python runs on many cores: throughput and "
             "speedup of\nthe same work under threads and native threads "
             "(more models to come).\n\ncommands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

static const command *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static int cmd_help(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--help") != 0 &&
      strcmp(argv[1], "-h") != 0) {
    const command *c = find_command(argv[1]);
    if (!c) {
      fprintf(stderr, "gillab help: no command '%s'\n", argv[1]);
      print_commands(stderr);
      return 2;
    }
    char *args[] = {argv[1], "--help", NULL};
    return c->fn(2, args);
  }
  print_commands(stdout);
  return 0;
}

/* SIGINT, SIGTERM or SIGHUP outside a run's cells (which handle their
 * own): the temporary files of outputs being written are removed, and
 * the process ends by the signal, as it would have without the handler
 * (so its status says which signal: 130, 143, 129 in a shell). */
static void on_fatal_signal(int sig) {
  outfile_remove_all();
  signal(sig, SIG_DFL);
  raise(sig);
}

int cli_main(int argc, char **argv) {
  signal(SIGINT, on_fatal_signal);
  signal(SIGTERM, on_fatal_signal);
  signal(SIGHUP, on_fatal_signal);
  if (argc < 2) {
    print_commands(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    print_commands(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0)
    return cmd_version(1, argv);
  const command *c = find_command(argv[1]);
  if (!c) {
    fprintf(stderr, "gillab: unknown command '%s'\n\n", argv[1]);
    print_commands(stderr);
    return 2;
  }
  return c->fn(argc - 1, argv + 1);
}
