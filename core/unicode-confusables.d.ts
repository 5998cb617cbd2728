/** unicode-confusables ships its types as `index.ts.d`, which TypeScript does not find. */
declare module 'unicode-confusables' {
  /** each code point replaced by its TR39 confusables.txt prototype; zero-width characters dropped */
  export function rectifyConfusion(s: string): string;
  export function isConfusing(s: string): boolean;
}
