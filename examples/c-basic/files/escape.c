/* The guest must not reach outside its pre-opened scratch directory: opening
 * "../escape.txt" has to fail. The errno varies between engines and versions
 * (ENOTCAPABLE, EPERM, ENOENT), so only the outcome is printed. */
#include <stdio.h>

int main(void) {
    FILE *f = fopen("../escape.txt", "w");
    if (f == NULL) {
        puts("open ../escape.txt for writing: denied");
    } else {
        fclose(f);
        puts("open ../escape.txt for writing: ALLOWED (sandbox escape)");
    }
    f = fopen("../escape.txt", "r");
    puts(f == NULL ? "open ../escape.txt for reading: denied"
                   : "open ../escape.txt for reading: ALLOWED (sandbox escape)");
    if (f != NULL) fclose(f);
    return 0;
}
