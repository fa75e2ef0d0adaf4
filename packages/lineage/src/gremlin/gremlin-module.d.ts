// `gremlin` (Apache TinkerPop's JavaScript GLV) ships no type declarations. The adapter keeps its
// use of the fluent API in one file and exposes none of its types publicly.
declare module 'gremlin' {
  const gremlin: unknown;
  export default gremlin;
}
