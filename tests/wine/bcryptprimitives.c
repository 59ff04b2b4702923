/* A stand-in for bcryptprimitives.dll, for running jixiao.exe under wine 8 only.
 *
 * Rust's standard library (1.78 and later) takes its random bytes (HashMap seeds) from
 * ProcessPrng in bcryptprimitives.dll, which every Windows 10/11 has but wine before 9.x
 * does not: the exe then fails to start ("Library bcryptprimitives.dll not found").
 * tests/windows.rs builds this file with mingw-w64 and puts the DLL beside a copy of the
 * exe. Released binaries never ship it.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
