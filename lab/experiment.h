/* experiment — experiment files: `gillab run FILE.toml`.
 *
 * An experiment file is TOML: the question the run should answer, its
 * workloads (each with its own units and C twin), and any option of
 * `gillab run` as a key (reps = 3, models = ["threads"], gil_probe =
 * false, ...). The default runtime's runner reads it with tomllib
 * (`gillab-runner-TAG --toml FILE`, embed/python/gillab_experiment.py), so
 * the orchestrator stays free of Python and of a TOML parser of its own.
 *
 * Here the document becomes `gillab run` options: each key stands for one
 * command-line option (experiment_options) and its value is turned into
 * that option's text (arrays joined, true/false as the flag given or not),
 * so the file goes through the same parsing and checks as the command
 * line (lab/spec.h), and a new option becomes a key with one row. The
 * command line's own options are parsed after the file's, so they
 * override it. Errors name the file, the line and the column of the key,
 * and what was expected; a key not known gets the closest known one.
 */
#ifndef GILLAB_EXPERIMENT_H
#define GILLAB_EXPERIMENT_H

#include "spec.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* How a key's value becomes its option's text. */
typedef enum {
  EXPERIMENT_LIST,   /* an array of strings and numbers, or one of them:
                        the items joined by the row's sep */
  EXPERIMENT_TEXT,   /* a string */
  EXPERIMENT_PATH,   /* a string, a path relative to the file's directory */
  EXPERIMENT_PATHS,  /* a path, or a table of names and paths: NAME=PATH
                        items joined by sep ({"3.12" = "venv"}) */
  EXPERIMENT_NUMBER, /* a number */
  EXPERIMENT_WORD,   /* a string or a number (hash_seed = 7 or "random") */
  EXPERIMENT_FLAG,   /* true: the option is given; false: it is not */
  EXPERIMENT_NOT,    /* false: the option is given (gil_probe = false is
                        --no-gil-probe); true: it is not */
} experiment_kind;

/* A key of experiment files and the `gillab run` option it stands for. */
typedef struct {
  const char *key;    /* in the file: "reps" */
  const char *option; /* the option: "--reps" */
  experiment_kind kind;
  char sep; /* between a list's items */
} experiment_option;

/* Every key but "workloads" (a list of names, files and tables; see
 * README), in the order of `gillab run --help`. */
extern const experiment_option experiment_options[];
extern const size_t experiment_noptions;

/* One workload of the file. */
typedef struct {
  char *item;   /* a built-in name or a user file ("dir/bench.py:work") */
  double units; /* 0: the workload's default */
  char *twin;   /* the C twin's path; NULL: none */
  /* Where it is in the file: "workloads[1]", or the key that names it in
   * a table ("workloads[1].name"), for errors. */
  char key[48];
} experiment_workload;

/* An experiment file read and turned into options. Free with
 * experiment_free. */
typedef struct {
  char *path;      /* as given */
  char *dir;       /* its directory ("." for a bare name) */
  char sha256[65]; /* of its bytes, hex */
  /* The file's options as a `gillab run` command line: args[0] is "run",
   * then the options in the file's order, -w last when it lists
   * workloads; args[nargs] is NULL. Each string is owned. */
  char **args;
  int nargs;
  experiment_workload workloads[SPEC_MAX_ITEMS];
  size_t nworkloads;
  char *workloads_arg; /* the -w value among args; NULL: none */
  cJSON *keys;         /* dotted key -> [line, column] (owned) */
} experiment;

/* Reads the experiment file at path with the default runtime's runner and
 * turns it into options. Returns 0 with *out (free with experiment_free),
 * or -ENOENT (no such file, or no runner) or -EINVAL (not TOML, or a key,
 * type or value refused) with err: "PATH:LINE:COLUMN: what was wrong". */
int experiment_read(const char *path, experiment **out, char *err,
                    size_t errlen);

/* The part of experiment_read after the runner: answer is the runner's
 * JSON (borrowed; {"doc", "keys", "sha256"} or {"invalid": ...}). Every
 * option is checked alone by spec_from_args, every workload by
 * spec_add_workload, so that an error can name its key's place. */
int experiment_from_json(const char *path, const cJSON *answer,
                         experiment **out, char *err, size_t errlen);

/* value (borrowed) as option o's text into out, relative paths resolved
 * against dir. Returns 0, 1 when the option is not to be given (a flag
 * set to false), or -EINVAL with why saying what o takes ("a number"). */
int experiment_option_text(const experiment_option *o, const cJSON *value,
                           const char *dir, char *out, size_t len, char *why,
                           size_t whylen);

/* The spec of `gillab run` with argv (argv[0] "run"; it names x's file)
 * after x's options: spec_from_args on both, the command line's last, so
 * they override the file; when the workloads are the file's, each with its
 * own units and twin. s keeps pointers into x and argv: both must outlive
 * it. Returns spec_from_args' codes (1: --help was printed). */
int experiment_spec(const experiment *x, spec_matrix *s, int argc, char **argv,
                    char *err, size_t errlen);

void experiment_free(experiment *x);

#endif
