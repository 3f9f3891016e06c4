// The wasm codec builds (Emscripten factories) and their .wasm files as URLs (Vite's ?url).
declare module '@cornerstonejs/codec-charls/wasmjs' { const factory: (options?: object) => Promise<unknown>; export default factory; }
declare module '@cornerstonejs/codec-openjpeg/wasmjs' { const factory: (options?: object) => Promise<unknown>; export default factory; }
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' { const factory: (options?: object) => Promise<unknown>; export default factory; }
declare module '*?url' { const url: string; export default url; }
