/** The custom elements manifest the element's source gives, as the text custom-elements.json holds. */
export function elementManifest(): string;
