package dev.larder.examples.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /products/{id}}: the product as JSON. */
@RestController
public class ProductController
{
    private final ProductCatalog catalog;

    public ProductController(final ProductCatalog catalog)
    {
        this.catalog = catalog;
    }

    @GetMapping("/products/{id}")
    public Product product(@PathVariable("id") final long id)
    {
        return catalog.product(id);
    }
}
