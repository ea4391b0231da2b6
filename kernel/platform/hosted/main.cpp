#include "base/format.hpp"
int main() { return 0; }
