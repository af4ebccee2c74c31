export declare function openapiTypes(document: object): Promise<string>;
