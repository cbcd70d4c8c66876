/* wc-like: count lines, words and bytes on stdin, and report the longest line. */
#include <ctype.h>
#include <stdio.h>

int main(void) {
    long lines = 0, words = 0, bytes = 0, longest = 0, current = 0;
    int in_word = 0;
    int c;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n') {
            lines++;
            if (current > longest) longest = current;
            current = 0;
        } else {
            current++;
        }
        if (isspace(c)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    if (current > longest) longest = current;
    printf("lines=%ld words=%ld bytes=%ld longest=%ld\n", lines, words, bytes, longest);
    return 0;
}
