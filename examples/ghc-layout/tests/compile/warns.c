#warning "this file warns on purpose"
int main(void) { return 0; }
