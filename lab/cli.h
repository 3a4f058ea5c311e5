/* cli — gillab's command line: the table of subcommands and their options.
 * The only layer that prints errors and chooses exit codes: 0 success,
 * 1 a failure while working, 2 a usage error (the message says what to
 * do), 130 interrupted. */
#ifndef GILLAB_CLI_H
#define GILLAB_CLI_H

int cli_main(int argc, char **argv);

#endif
