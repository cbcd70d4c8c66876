/* With no suite args and no none.args sidecar, only argv[0] is passed. argv[0]
 * itself is engine-specific, so only its presence is printed. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    printf("argv[0] is %s\n", argv[0] != NULL ? "set" : "NULL");
    printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "set");
    return 0;
}
