// Fakes and builders for people testing code built on Herd.
export {};
