// The `aura` command: see cli/cli_app.h.
#include "cli/cli_app.h"

int main(int argc, char** argv) { return aura::cli::RunAura(argc, argv); }
