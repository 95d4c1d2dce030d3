#include "golden.h"
#include <stdio.h>
int pk_golden_check(const pk_backend* be, const char* dir) { (void) be; printf("goldens: not yet (%s)\n", dir); return 1; }
