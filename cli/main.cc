// rescope entry point (placeholder until the subcommands land).
#include <cstdio>
int main() { std::puts("rescope"); return 0; }
