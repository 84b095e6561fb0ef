import type { Component } from 'vue';
export declare const App: Component;
