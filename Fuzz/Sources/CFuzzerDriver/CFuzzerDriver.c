// Only the declaration in include/CFuzzerDriver.h is needed; libFuzzer defines the function.
#include "CFuzzerDriver.h"
