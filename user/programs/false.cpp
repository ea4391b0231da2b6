// false: exits 1.
int main(int, char**) { return 1; }
