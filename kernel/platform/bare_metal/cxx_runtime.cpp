// The two C++ ABI symbols a freestanding image still needs. Globals with
// destructors register them through __cxa_atexit (Itanium C++ ABI 3.3.6);
// the kernel never exits, so registering is all there is to do.
extern "C" {
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
}
