#include <stdio.h>

int main(int argc, char **argv) {
    printf("run_cmd got %d arguments:", argc - 1);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    return 0;
}
