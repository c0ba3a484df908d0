#![cfg_attr(not(feature = "std"), no_std, no_main)]
#[ink::contract]
mod sampling {
    #[ink(storage)]
    pub struct C {}
    impl C {
        #[ink(constructor)]
        pub fn new() -> Self { Self {} }
        #[ink(message)]
        pub fn noop(&self) {}
    }
}
