/* sut_api.h must compile as strict C99 (built with -std=c99 -pedantic -Werror). */
#include <edubench/sut_api.h>

int edubench_header_c99_check(void) {
  edu_sut_api api = {0};
  return (int)sizeof(api) + EDU_OK;
}
