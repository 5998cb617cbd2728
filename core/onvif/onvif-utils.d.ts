// Types for the one part of the `onvif` package we use: its SOAP parser (namespace prefixes stripped,
// first letter lower-cased). The package's own index.d.ts covers only Cam and Discovery.
declare module 'onvif/lib/utils.js' {
  type ParseCallback = (err: Error | null, body: unknown[] | null | '', xml: string, statusCode?: number) => void;
  const utils: {
    parseSOAPString(xml: string, callback: ParseCallback, statusCode?: number): void;
    linerase(xml: unknown): unknown;
  };
  export default utils;
}
