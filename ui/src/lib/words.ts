// Counts in words: "1 reply", "3 replies".

/** `n` and the noun, singular for one: `count(3, "reply", "replies")` is "3 replies". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
