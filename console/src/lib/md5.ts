/**
 * The API takes passwords as the MD5 hex of their UTF-8 bytes (docs/api.md), hashed here in the page
 * so the plain password never leaves the browser. Web Crypto has no MD5, hence spark-md5.
 */
import SparkMD5 from 'spark-md5';

export function md5Hex(text: string): string {
  // spark-md5's hash() reads UTF-16 code units; the API wants the UTF-8 bytes.
  return SparkMD5.ArrayBuffer.hash(new TextEncoder().encode(text).buffer as ArrayBuffer);
}
