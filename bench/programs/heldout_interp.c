/* SPDX-License-Identifier: Apache-2.0 */
/* HELD-OUT program: not to be looked at while tuning the compiler. A stack-based bytecode
 * interpreter (switch dispatch) running a small program: nested loops, a gcd, and
 * array traffic; n is the outer trip count. */
#include "bench_kernel.h"

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JZ, JMP, DUP, DROP, SWAP, AGET, ASET, HALT };

struct insn {
    uint8_t op;
    int32_t arg;
};

/* vars: 0 = i, 1 = n, 2 = acc, 3 = a, 4 = b, 5 = t. For i in 0..n: a = i*7+3, b = i%97+1,
 * acc += gcd(a, b) + arr[i & 63]; arr[i & 63] = acc. */
static const struct insn prog[] = {
    /*  0 */ {PUSH, 0},
    {STORE, 0},
    /*  2 */ {LOAD, 0},
    {LOAD, 1},
    {LT, 0},
    {JZ, 44},
    /*  6 */ {LOAD, 0},
    {PUSH, 7},
    {MUL, 0},
    {PUSH, 3},
    {ADD, 0},
    {STORE, 3},
    /* 12 */ {LOAD, 0},
    {PUSH, 97},
    {MOD, 0},
    {PUSH, 1},
    {ADD, 0},
    {STORE, 4},
    /* 18 gcd loop: while (b) { t = a % b; a = b; b = t; } */
    /* 18 */ {LOAD, 4},
    {JZ, 29},
    /* 20 */ {LOAD, 3},
    {LOAD, 4},
    {MOD, 0},
    {STORE, 5},
    {LOAD, 4},
    {STORE, 3},
    /* 26 */ {LOAD, 5},
    {STORE, 4},
    {JMP, 18},
    /* 29 */ {LOAD, 2},
    {LOAD, 3},
    {ADD, 0},
    {LOAD, 0},
    {AGET, 0},
    {ADD, 0},
    {DUP, 0},
    /* 36 */ {STORE, 2},
    {LOAD, 0},
    {ASET, 0},
    /* 39 */ {LOAD, 0},
    {PUSH, 1},
    {ADD, 0},
    {STORE, 0},
    {JMP, 2},
    /* 44 */ {HALT, 0},
};

static int32_t arr[64];

static int32_t interp(int32_t n)
{
    int32_t stack[64], vars[8] = {0};
    int sp = 0, pc = 0;
    vars[1] = n;
    for (;;) {
        const struct insn *in = &prog[pc++];
        switch (in->op) {
        case PUSH:
            stack[sp++] = in->arg;
            break;
        case LOAD:
            stack[sp++] = vars[in->arg];
            break;
        case STORE:
            vars[in->arg] = stack[--sp];
            break;
        case ADD:
            sp--;
            stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] + (uint32_t)stack[sp]);
            break;
        case SUB:
            sp--;
            stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] - (uint32_t)stack[sp]);
            break;
        case MUL:
            sp--;
            stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] * (uint32_t)stack[sp]);
            break;
        case MOD:
            sp--;
            stack[sp - 1] =
                stack[sp] ? (int32_t)((uint32_t)stack[sp - 1] % (uint32_t)stack[sp]) : 0;
            break;
        case LT:
            sp--;
            stack[sp - 1] = stack[sp - 1] < stack[sp];
            break;
        case JZ:
            if (stack[--sp] == 0)
                pc = in->arg;
            break;
        case JMP:
            pc = in->arg;
            break;
        case DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case DROP:
            sp--;
            break;
        case SWAP: {
            int32_t t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            break;
        }
        case AGET:
            stack[sp - 1] = arr[stack[sp - 1] & 63];
            break;
        case ASET:
            sp -= 2;
            arr[stack[sp + 1] & 63] = stack[sp];
            break;
        default:
            return vars[2];
        }
    }
}

int32_t run(int32_t n)
{
    for (int i = 0; i < 64; i++)
        arr[i] = i;
    return interp(n) & 0x7fffffff;
}
