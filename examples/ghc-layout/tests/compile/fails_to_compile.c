#error "this file must not compile"
int main(void) { return 0; }
